import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { echoRequestUrl, type ImArrival, ImStandIn } from '../stand-ins/im-stand-in.js';
import { commandBody, signedHeaders } from '../stand-ins/slack-signing.js';
import { unsafeMrkdwn } from './properties/targets.js';
import { auditLines } from './support/audit-capture.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import {
  laterCommandDone,
  messageText,
  SIGNING_SECRET,
  type SlackFixture,
  startSlackFixture,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

/** Every UserSig the stand-in saw, so a test can look for any of them anywhere. */
function sigsSeen(im: ImStandIn): string[] {
  return [
    ...new Set(
      im.arrivals.map((a) => a.query.usersig).filter((s): s is string => typeof s === 'string' && s.length > 20),
    ),
  ];
}

/** How many of `arrivals` were made for `user` (the Report_Account of a mark). */
const mentions = (arrivals: ImArrival[], user: string) =>
  arrivals.filter((a) => (a.body as { Report_Account?: string }).Report_Account === user).length;

function assertNoSecret(where: string, text: string, sigs: string[]): void {
  assert.ok(sigs.length > 0, 'the stand-in saw UserSigs to look for');
  for (const sig of sigs) assert.equal(text.includes(sig), false, `${where} carries a UserSig`);
  assert.equal(text.includes(SECRET_KEY), false, `${where} carries the secret key`);
  assert.doesNotMatch(text, /usersig=(?!\[redacted\])/i, `${where} carries a usersig= value`);
}

describe('hostile and unlucky input, end to end', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({ slack: { channelErrors: new Map([['C0NOTIN', 'not_in_channel']]) } });
  });
  after(() => f.close());

  it('an IM gateway that echoes the request URL never gets a UserSig into Slack: thread, parent, summary, response_url, ack, logs', async () => {
    f.im.behave = echoRequestUrl;
    f.im.seed('gina', { hal: 2, ivy: 3 });
    const before = f.slack.calls.length;
    const acks = [
      await f.command('gina hal'),
      await f.command('gina hal ivy'),
      await f.command('gina hal', { channel: 'C0NOTIN', responseId: 'echo-private' }),
      await f.command('gina --all', { responseId: 'echo-all' }),
    ];
    try {
      // The single pair's parent and the two-peer run's parent are edited to their end state.
      await waitFor(
        () =>
          f.slack.calls.slice(before).filter((c) => c.method === 'chat.update').length >= 2 &&
          f.slack.responses.some((r) => r.id === 'echo-private') &&
          f.slack.responses.some((r) => r.id === 'echo-all'),
        { what: 'every outcome of the echoing gateway' },
      );
    } finally {
      f.im.behave = undefined;
    }
    const sigs = sigsSeen(f.im);
    const slackCalls = f.slack.calls.slice(before);
    const shown = [
      ...slackCalls.map((c) => JSON.stringify(c.args)),
      ...f.slack.responses.map((r) => JSON.stringify(r.body)),
      ...acks.map((a) => a.body),
    ].join('\n');
    assertNoSecret('a Slack message', shown, sigs);
    assertNoSecret('the log', f.logs.text, sigs);
    // The echoed <!channel> and the bidi override arrive inert and visible.
    const thread = slackCalls
      .filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts)
      .map((c) => JSON.stringify(c.args))
      .join('\n');
    assert.match(thread, /&lt;!channel&gt;/);
    assert.match(thread, /\\\\u202E/);
    for (const c of slackCalls)
      for (const field of [c.args.text])
        if (typeof field === 'string') assert.equal(unsafeMrkdwn(field), undefined, field);
    assert.match(JSON.stringify(f.slack.responses.find((r) => r.id === 'echo-all')?.body), /not JSON/);
  });

  it('acts once on a replayed signed request (acked, logged), and refuses a timestamp from the future', async () => {
    f.im.arrivals.length = 0;
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await f.command('alice bob', { timestamp, responseId: 'replayed' });
    const again = await f.command('alice bob', { timestamp, responseId: 'replayed' });
    assert.equal(first.status, 200);
    assert.match(first.body, /Working on it/);
    assert.equal(again.status, 200);
    assert.equal(again.body, '', 'the replay is acknowledged with nothing');
    await waitFor(() => auditLines(f.logs.records).some((e) => e.kind === 'replayed'), {
      what: 'the replay to be recorded',
    });
    await waitFor(() => mentions(f.im.accepted(), 'alice') > 0, { what: 'the mark of alice ↔ bob' });
    await laterCommandDone(f, 'carol', 'dave');
    assert.equal(mentions(f.im.accepted(), 'alice'), 1, 'one mark, not two');
    const future = await f.command('alice bob', { timestamp: timestamp + 6 * 60 });
    assert.equal(future.status, 401);
    const slightlyAhead = await f.command('alice bob', { timestamp: timestamp + 30 });
    assert.equal(slightlyAhead.status, 200, 'a clock 30 s ahead is still fine');
  });

  it('refuses oversized bodies before reading them: 100 concurrent 4 MB junk requests move RSS by less than 50 MiB', async () => {
    const url = `http://127.0.0.1:${f.port}/slack/events`;
    const junk = Buffer.alloc(4 * 1024 * 1024, 0x61);
    const chunk = junk.subarray(0, 64 * 1024);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const statuses: Array<number | string> = [];
    const send = async (chunked: boolean) => {
      try {
        const body = chunked
          ? Readable.from(
              (function* () {
                for (let i = 0; i < 64; i++) yield chunk;
              })(),
            )
          : junk;
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        statuses.push(res.statusCode);
        await res.body.dump();
      } catch (error) {
        statuses.push((error as { code?: string }).code ?? 'error');
      }
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => send(i % 2 === 1)));
    clearInterval(sampler);
    const growthMiB = (peak - baseline) / 2 ** 20;
    console.log(
      `# oversized: peak RSS growth ${growthMiB.toFixed(1)} MiB over 100 concurrent 4 MB requests; answers ${JSON.stringify(countBy(statuses))}`,
    );
    assert.ok(growthMiB < 50, `RSS grew ${growthMiB.toFixed(1)} MiB`);
    assert.ok(statuses.filter((s) => s === 413).length >= 50, 'every request with a declared length gets 413');
    assert.equal(statuses.filter((s) => s === 200).length, 0);
    // And the app still answers a real command.
    assert.match((await f.command('alice bob')).body, /Working on it/);
  });

  it('refuses tampered modal metadata and never posts to a foreign response_url', async () => {
    const foreign = createServer((_req, res) => {
      foreignHits++;
      res.end('{}');
    });
    let foreignHits = 0;
    foreign.listen(0, '127.0.0.1');
    await once(foreign, 'listening');
    const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/steal`;
    try {
      f.im.arrivals.length = 0;
      const tampered = JSON.stringify({ channelId: 'C0OTHER', responseUrl: foreignUrl, mac: '0'.repeat(64) });
      const submit = await f.submitModal({ user: 'alice', peer: 'bob', read_time: '' }, { privateMetadata: tampered });
      assert.match(submit.body, /lost track of its channel/);
      // A signed command whose response_url is not Slack's, in a channel the bot cannot post in.
      const body = commandBody({
        text: 'nora oscar',
        user_id: 'U0ONCALL',
        channel_id: 'C0NOTIN',
        response_url: foreignUrl,
      });
      const res = await request(`http://127.0.0.1:${f.port}/slack/events`, {
        method: 'POST',
        headers: signedHeaders(SIGNING_SECRET, body),
        body,
      });
      assert.equal(res.statusCode, 200);
      await res.body.dump();
      // The command was carried out, and where its outcome would have gone to the foreign URL, it was refused.
      await waitFor(() => f.logs.records.some((r) => r.refused === 'response-url'), {
        what: 'the foreign response_url to be refused',
      });
      await laterCommandDone(f, 'carol', 'dave');
      assert.equal(foreignHits, 0, 'nothing was posted to the foreign URL');
      assert.equal(mentions(f.im.accepted(), 'nora'), 1, 'the signed command was still carried out');
    } finally {
      foreign.close();
    }
  });

  it('two quick Confirm presses start the --all run exactly once; the second press is told it has started', async () => {
    f.im.seed('kim', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, 1])));
    await f.command('kim --all', { responseId: 'double' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'double'), { what: 'the response to double' });
    const prompt = JSON.stringify(f.slack.responses.find((r) => r.id === 'double')?.body);
    const runId = /"action_id":"markread_all_confirm","value":"([^"]+)"/.exec(prompt)?.[1] ?? '';
    const marks = () =>
      f.im.accepted().filter((a) => (a.body as { Report_Account: string }).Report_Account === 'kim').length;
    await Promise.all([
      f.press('markread_all_confirm', runId, { responseId: 'press-a' }),
      f.press('markread_all_confirm', runId, { responseId: 'press-b' }),
    ]);
    await waitFor(() => ['press-a', 'press-b'].every((id) => f.slack.responses.some((r) => r.id === id)), {
      what: 'answers to both presses',
    });
    // The run's parent edited to its end state: everything the run sends has been sent.
    await waitFor(
      () =>
        f.slack.calls.some(
          (c) =>
            c.method === 'chat.update' && /Finished/.test(messageText(c.args)) && messageText(c.args).includes('`kim`'),
        ),
      { what: "kim's run to finish" },
    );
    const answers = ['press-a', 'press-b'].map((id) =>
      JSON.stringify(f.slack.responses.find((r) => r.id === id)?.body),
    );
    assert.equal(answers.filter((a) => /Confirmed: marking/.test(a)).length, 1);
    assert.equal(answers.filter((a) => /already started/.test(a)).length, 1);
    assert.equal(marks(), 12, 'each conversation marked once');
  });
});

describe('hostile IM answers at the terminal', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  before(() => im.start());
  after(() => im.stop());

  it('prints no UserSig on stdout or stderr, whatever the IM gateway echoes', async () => {
    im.behave = echoRequestUrl;
    im.seed('gina', { hal: 1 });
    const env = {
      PATH: process.env.PATH ?? '',
      ...imEnv(im.url),
      TIM_TIMEOUT_MS: '500',
      TIM_DEADLINE_MS: '1500',
      LOG_LEVEL: 'debug',
    };
    const cwd = mkdtempSync(join(tmpdir(), 'markread-hostile-'));
    const runs = await Promise.all(
      [
        ['gina', 'hal'],
        ['gina', 'hal', '--json'],
        ['gina', 'hal', 'ivy'],
        ['gina', '--all', '--yes'],
      ].map((args) => cli(args, env, cwd)),
    );
    const sigs = sigsSeen(im);
    for (const r of runs) {
      assertNoSecret('CLI stdout', r.stdout, sigs);
      assertNoSecret('CLI stderr', r.stderr, sigs);
      assert.doesNotMatch(r.stdout + r.stderr, /\u202e/, 'the bidi override is shown as \\u202E, not applied');
    }
    assert.match(runs[0]?.stdout ?? '', /\\u202E/);
  });
});

function cli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [resolve('dist/src/cli/main.js'), ...args], { cwd, env }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

function countBy(values: Array<number | string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

describe('configuration errors', () => {
  it('name the variable but never print a value that is or looks like a secret', async () => {
    const token = 'xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx';
    const cwd = mkdtempSync(join(tmpdir(), 'markread-config-'));
    const env = {
      PATH: process.env.PATH ?? '',
      TIM_SDKAPPID: 'x',
      TIM_SECRET_KEY: SECRET_KEY,
      TIM_REGION: 'singapore',
      SLACK_BOT_TOKEN: 'nope',
      SLACK_SIGNING_SECRET: 'short',
      MARKREAD_ALLOWED_USERS: `U0ONCALL,${token},${SECRET_KEY},\u202ebad`,
    };
    const result = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(process.execPath, [resolve('dist/src/main.js')], { cwd, env }, (error, _stdout, stderr) =>
        done({ code: Number(error?.code ?? 0), stderr }),
      ),
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /MARKREAD_ALLOWED_USERS: .*looks like a token or key, not shown/);
    assert.match(result.stderr, /"\\u202Ebad"/);
    assert.match(result.stderr, /TIM_SDKAPPID/);
    assert.match(result.stderr, /SLACK_BOT_TOKEN/);
    for (const secret of [token, SECRET_KEY, 'AbCdEfGhIjKlMnOpQrStUvWx'])
      assert.equal(result.stderr.includes(secret), false, 'a secret was printed');
  });
});
