import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { fail, ImStandIn } from '../stand-ins/im-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { CLI, runCli } from './support/cli-run.js';
import { freePort } from './support/free-port.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';

/** The CLI's environment pointed at an IM stand-in, with short timeouts. */
const cliEnv = (url: string) => ({
  ...imEnv(url),
  TIM_TIMEOUT_MS: '500',
  TIM_DEADLINE_MS: '1500',
});

describe('markread CLI', () => {
  const standIn = new ImStandIn({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: SECRET_KEY,
    accounts: new Set(['alice', 'bob', 'carol']),
  });
  let env: Record<string, string>;
  before(async () => {
    env = cliEnv(await standIn.start());
  });
  after(() => standIn.stop());

  it('marks a conversation read and prints the outcome (exit 0)', async () => {
    standIn.arrivals.length = 0;
    const { code, stdout, stderr } = await runCli(['alice', 'bob'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^OK {2}alice ↔ bob/);
    assert.match(stdout, /ActionStatus +OK/);
    assert.match(stdout, /ErrorCode +0/);
    assert.match(stdout, /Attempts +1/);
    assert.deepEqual(standIn.accepted()[0]?.body, { Report_Account: 'alice', Peer_Account: 'bob' });
    assert.equal(stderr.includes(SECRET_KEY), false);
  });

  it('prints one JSON object with --json, including the read time', async () => {
    const { code, stdout } = await runCli(['alice', 'bob', '--json', '--read-time', '1767225600'], env);
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(out.status, 'ok');
    assert.equal(out.ActionStatus, 'OK');
    assert.equal(out.ErrorCode, 0);
    assert.equal(out.readTime, 1767225600);
    assert.equal(out.attempts, 1);
    assert.equal(typeof out.requestId, 'number');
  });

  it('exits 1 with the meaning when the API answers FAIL', async () => {
    const { code, stdout } = await runCli(['alice', 'ghost', '--json'], env);
    assert.equal(code, 1);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(out.ActionStatus, 'FAIL');
    assert.equal(out.ErrorCode, 90003);
    assert.match(String(out.meaning), /peer account/);
    assert.match(String(out.action), /UserID/);
  });

  it('exits 3 when the API gives no usable answer after retries', async () => {
    standIn.behave = () => ({ status: 502 });
    const { code, stdout } = await runCli(['alice', 'bob'], env);
    standIn.behave = undefined;
    assert.equal(code, 3);
    assert.match(stdout, /^NO ANSWER/);
    assert.match(stdout, /HTTP 502/);
    assert.match(stdout, /run it again/);
  });

  it('exits 2 on bad input, naming the rule, and calls nothing', async () => {
    standIn.arrivals.length = 0;
    for (const args of [
      ['alice'],
      ['alice', 'bob smith'],
      ['alice', 'alice'],
      ['alice', 'bob', '--read-time', 'now'],
      ['alice', 'bob', '--frobnicate'],
    ]) {
      const { code, stderr } = await runCli(args, env);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /usage error, nothing was called/);
    }
    const { stderr } = await runCli(['alice', 'x'.repeat(40)], env);
    assert.match(stderr, /40 bytes long; UserIDs are at most 32 bytes/);
    assert.equal(standIn.arrivals.length, 0);
  });

  it('exits 2 on bad configuration, naming each variable, and never prints the secret', async () => {
    const { code, stderr, stdout } = await runCli(['alice', 'bob', '--json'], {
      TIM_SECRET_KEY: SECRET_KEY,
      TIM_SDKAPPID: 'twelve',
    });
    assert.equal(code, 2);
    assert.match(stderr, /TIM_SDKAPPID: expected a positive whole number/);
    assert.match(stderr, /TIM_REGION: is required unless TIM_BASE_URL is set/);
    assert.deepEqual((JSON.parse(stdout) as { error: string }).error, 'configuration');
    assert.equal((stderr + stdout).includes(SECRET_KEY), false);
  });

  it('--dry-run prints the request with the UserSig redacted and sends nothing', async () => {
    standIn.arrivals.length = 0;
    const { code, stdout } = await runCli(['alice', 'bob', '--dry-run', '--json'], {
      ...env,
      TIM_BASE_URL: '',
      TIM_REGION: 'frankfurt',
    });
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as {
      pairs: number;
      first: { origin: string; path: string; query: Record<string, string>; body: unknown };
    };
    assert.equal(out.pairs, 1);
    assert.equal(out.first.origin, 'https://adminapiger.im.qcloud.com');
    assert.equal(out.first.path, '/v4/openim/admin_set_msg_read');
    assert.equal(out.first.query.usersig, '[not minted]');
    assert.equal(out.first.query.sdkappid, String(SDK_APP_ID));
    assert.deepEqual(out.first.body, { Report_Account: 'alice', Peer_Account: 'bob' });
    assert.equal(standIn.arrivals.length, 0);
  });

  it('--dry-run needs no secret key, and checks a whole CSV file (quotes, any-case header) before anything runs', async () => {
    const region = { TIM_REGION: 'singapore' };
    const single = await runCli(['alice', 'bob', '--dry-run'], region);
    assert.equal(single.code, 0, single.stderr);
    assert.match(single.stdout, /Dry run: nothing was sent\. 1 pair/);
    assert.match(single.stdout, /sdkappid=<TIM_SDKAPPID>&identifier=administrator&usersig=\[redacted\]/);
    const csv = 'REPORT_ACCOUNT,Peer_Account,MsgReadTime\n"alice","bob",1767225600\n# a comment\n\ncarol,"dave",\n';
    const plan = await runCli(
      ['--from-file', '-', '--dry-run', '--json'],
      { ...region, TIM_SDKAPPID: String(SDK_APP_ID) },
      csv,
    );
    assert.equal(plan.code, 0, plan.stderr);
    const out = JSON.parse(plan.stdout) as { pairs: number; users: string[]; first: { body: unknown } };
    assert.equal(out.pairs, 2);
    assert.deepEqual(out.users, ['alice', 'carol']);
    assert.deepEqual(out.first.body, { Report_Account: 'alice', Peer_Account: 'bob', MsgReadTime: 1767225600 });
    const bad = await runCli(['--from-file', '-', '--dry-run'], region, 'user,peer\nalice,bob\n"carol,dave\nerin\n');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /line \d+(, column \d+)?: not valid CSV: Quote Not Closed/);
    const several = await runCli(['--from-file', '-', '--dry-run'], region, 'alice,bob\nalice\nbob,b ob\n');
    assert.match(several.stderr, /line 2: expected user,peer or user,peer,read_time, got 1 field/);
    assert.match(several.stderr, /line 3: peer "b ob" contains whitespace/);
  });

  it('marks many peers: one line each, a summary with unread before → after, duplicates dropped', async () => {
    standIn.conversations.clear();
    standIn.seed('alice', { bob: 3, carol: 5 });
    standIn.arrivals.length = 0;
    const { code, stdout } = await runCli(['alice', 'bob', 'carol', 'bob', 'ghost'], env);
    assert.equal(code, 1, 'ghost does not exist');
    const lines = stdout.trim().split('\n');
    assert.match(lines.find((l) => l.includes('↔ bob')) ?? '', /^OK +alice ↔ bob {2}unread 3 → 0/);
    assert.match(lines.find((l) => l.includes('↔ carol')) ?? '', /unread 5 → 0/);
    assert.match(lines.find((l) => l.includes('↔ ghost')) ?? '', /^FAILED +alice ↔ ghost {2}ErrorCode 90003/);
    assert.match(stdout, /Summary: 2 of 3 OK, 1 failed, in [\d.]+ s\. Unread 8 → 0 for 2 pairs\./);
    assert.match(stdout, /ErrorCode 90003 ×1: .*e\.g\. alice ↔ ghost/);
    assert.equal(standIn.accepted().length, 3);
  });

  it('rejects the whole list if one peer is invalid, calling nothing', async () => {
    standIn.arrivals.length = 0;
    const { code, stderr } = await runCli(['alice', 'bob', 'b&d', 'carol'], env);
    assert.equal(code, 2);
    assert.match(stderr, /peer "b&d" contains "&"/);
    assert.equal(standIn.arrivals.length, 0);
  });

  it('--from-file reads user,peer[,read_time] lines from stdin, with JSON lines and a summary', async () => {
    standIn.conversations.clear();
    standIn.seed('bob', { alice: 2 });
    const csv = 'user,peer,read_time\n# stuck badges from ticket 123\nalice,bob\n\nbob,alice,1767225000\n';
    const { code, stdout } = await runCli(['--from-file', '-', '--json'], env, csv);
    assert.equal(code, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines
        .slice(0, 2)
        .map((l) => `${l.user}>${l.peer}`)
        .sort(),
      ['alice>bob', 'bob>alice'],
    );
    assert.equal(lines.find((l) => l.user === 'bob')?.unreadBefore, 2);
    assert.equal(lines.find((l) => l.user === 'bob')?.readTime, 1767225000);
    assert.deepEqual((lines[2] as { summary: { ok: number; done: number } }).summary.ok, 2);
  });

  it('--from-file names the bad lines and calls nothing', async () => {
    standIn.arrivals.length = 0;
    const { code, stderr } = await runCli(['--from-file', '-'], env, 'alice,bob\nalice\nalice,alice\n');
    assert.equal(code, 2);
    assert.match(stderr, /line 2: expected user,peer/);
    assert.match(stderr, /line 3: user and peer are both "alice"/);
    assert.equal(standIn.arrivals.length, 0);
  });

  it('--all pages the conversation list and needs --yes when not on a terminal', async () => {
    standIn.conversations.clear();
    standIn.pageSize = 4;
    standIn.seed('alice', { bob: 1, carol: 2 });
    standIn.conversations.get('alice')?.push({ peer: 'team-room', type: 2, unread: 9, msgTime: 5 });
    const refused = await runCli(['alice', '--all'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /alice has 2 one-to-one conversations; add --yes/);
    const { code, stdout } = await runCli(['alice', '--all', '--yes'], env);
    assert.equal(code, 0);
    assert.match(stdout, /Summary: 2 of 2 OK, 0 failed, in [\d.]+ s\. Unread 3 → 0 for 2 pairs\./);
    assert.equal(
      standIn.conversations.get('alice')?.find((c) => c.peer === 'team-room')?.unread,
      9,
      'group conversations are left alone',
    );
  });

  it('--help explains usage and every variable', async () => {
    const { code, stdout } = await runCli(['--help'], {});
    assert.equal(code, 0);
    for (const word of [
      '--read-time',
      '--dry-run',
      'TIM_SDKAPPID',
      'TIM_SECRET_KEY',
      'TIM_REGION',
      'TIM_BASE_URL',
      'TIM_MAX_RPS',
      'Exit codes',
    ]) {
      assert.ok(stdout.includes(word), word);
    }
  });

  it('writes the audit line to stderr at LOG_LEVEL=info, keeping stdout clean', async () => {
    standIn.behave = () => fail(70500);
    const { code, stdout, stderr } = await runCli(['alice', 'bob', '--json'], { ...env, LOG_LEVEL: 'info' });
    standIn.behave = undefined;
    assert.equal(code, 1);
    JSON.parse(stdout);
    const audit = auditLines(
      stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ).find((e) => e.kind === 'mark');
    assert.equal(audit?.outcome?.errorCode, 70500);
    assert.equal(audit?.actor.kind, 'cli');
    assert.equal(audit?.via, 'cli');
  });
});

describe('markread CLI: honest output, pipes and flags', () => {
  const standIn = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  let env: Record<string, string>;
  before(async () => {
    env = cliEnv(await standIn.start());
  });
  after(() => standIn.stop());

  it('never claims "0 → 0" when every pair failed: a wrong key says nothing was marked', async () => {
    const { code, stdout } = await runCli(['alice', 'bob', 'carol'], {
      ...env,
      TIM_SECRET_KEY: 'a-wrong-secret-key-0000000000',
    });
    assert.equal(code, 1);
    assert.match(stdout, /Unread unknown: nothing was marked, so there is no before → after\./);
    assert.doesNotMatch(stdout, /0 → 0/);
  });

  it('reports unknown counts as null in --json, never as zeros, when every call fails (a wrong key)', async () => {
    const { code, stdout } = await runCli(['alice', 'p1', 'p2', '--json'], {
      ...env,
      TIM_SECRET_KEY: 'a-wrong-secret-key-0000000000',
    });
    assert.equal(code, 1);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const pairs = lines.filter((l) => 'peer' in l);
    assert.equal(pairs.length, 2);
    for (const pair of pairs) {
      assert.equal(pair.ActionStatus, 'FAIL', 'the wrong key is refused');
      assert.deepEqual([pair.unreadBefore, pair.unreadAfter], [null, null]);
    }
    const { summary } = lines.at(-1) as { summary: Record<string, unknown> };
    assert.deepEqual([summary.ok, summary.unreadBefore, summary.unreadAfter], [0, null, null]);
  });

  it('prints its version, usage when bare, and "did you mean" for a mistyped flag', async () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
    assert.equal((await runCli(['--version'], env)).stdout, `markread ${version}\n`);
    const bare = await runCli([], env);
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /^markread: mark a Tencent Cloud Chat/);
    const typo = await runCli(['alice', 'bob', '--jsno'], env);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown option "--jsno"; did you mean --json\?/);
  });

  it('accepts TIM_REGION in any case', async () => {
    const { code, stdout } = await runCli(['alice', 'bob', '--dry-run'], {
      TIM_SDKAPPID: String(SDK_APP_ID),
      TIM_SECRET_KEY: SECRET_KEY,
      TIM_REGION: 'Singapore',
    });
    assert.equal(code, 0);
    assert.match(stdout, /adminapisgp\.im\.qcloud\.com/);
  });

  it('stops quietly when stdout is closed (| head -1): exit 141, no stack, the rest not marked', async () => {
    standIn.arrivals.length = 0;
    const peers = Array.from({ length: 300 }, (_, i) => `h${i}`);
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [CLI, 'hank', ...peers, '--json'], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? '', ...env, TIM_MAX_RPS: '50' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('exit', (code) => done({ code, stderr }));
    });
    assert.equal(result.code, 141, result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE|Unhandled|at /);
    assert.ok(standIn.accepted().length < 300, `${standIn.accepted().length} of 300 marked after the reader left`);
  });
});

describe('markread CLI during an outage', () => {
  it('a single pair against an unreachable host ends after a few attempts, not the whole TIM_DEADLINE_MS, with one clear answer and at most one log line', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runCli(['alice', 'bob'], imEnv(`http://127.0.0.1:${port}/`));
    assert.equal(code, 3);
    assert.match(stdout, /Meaning +Could not reach the IM API at 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.match(stdout, /Next +Check that this server reaches/);
    // The circuit opens after 5 failed calls in a row (counts included); the mark stops retrying then, instead of
    // retrying until the 20 s default deadline.
    const attempts = Number(/Attempts +(\d+)/.exec(stdout)?.[1]);
    assert.ok(attempts >= 1 && attempts <= 5, `attempts ${attempts}`);
    // Beside the audit line (always written), at most one line about the failure itself.
    const lines = stderr.split('\n').filter((l) => l !== '' && !l.includes('"audit":'));
    assert.ok(lines.length <= 1, stderr);
  });
});
