import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { commandBody, signedHeaders } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { SocketModeStandIn } from '../stand-ins/socket-mode-stand-in.js';
import { ADMIN, maxInSlidingWindow as mostInWindow, SDK_APP_ID, SECRET_KEY, slowOnce } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { type Replica, startReplica } from './support/replica.js';
import { ALLOWED, BOT_TOKEN, CHANNEL, messageText, SIGNING_SECRET } from './support/slack-fixture.js';

const MARK = 'v4/openim/admin_set_msg_read';
const redis = await startTestRedis();
after(() => redis?.close());

/**
 * Two real markread processes sharing one Redis, the IM stand-in and the Slack stand-in: what an operator runs
 * for redundancy. Takeover is set to 2 s (MARKREAD_TAKEOVER_MS) so a kill is recovered within a test's patience.
 */
describe('two replicas on one Redis', { skip: redis ? false : NO_REDIS }, () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const replicas: Replica[] = [];
  const env = () => ({
    REDIS_URL: redis?.url ?? '',
    MARKREAD_REDIS_PREFIX: 'replicas-test',
    MARKREAD_TAKEOVER_MS: '2000',
    TIM_MAX_RPS: '190',
  });
  const start = async (name: string) => {
    const r = await startReplica(name, im, slack, env());
    replicas.push(r);
    return r;
  };
  let a: Replica;
  let b: Replica;

  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    [a, b] = await Promise.all([start('a'), start('b')]);
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    await Promise.all([im.stop(), slack.stop()]);
  });

  const marksOf = (user: string) =>
    im.accepted().filter((x) => (x.body as { Report_Account?: string }).Report_Account === user);
  const response = async (id: string, ms = 10_000) => {
    await slack.until(() => slack.responses.some((r) => r.id === id), ms);
    return messageText(slack.responses.find((r) => r.id === id)?.body ?? {});
  };
  /** Counts and asks through one replica; returns the run id on the Confirm button. */
  const askAll = async (via: Replica, user: string, id: string) => {
    await via.command(`${user} --all`, id);
    await slack.until(() => slack.responses.some((r) => r.id === id), 10_000);
    const body = slack.responses.find((r) => r.id === id)?.body as { blocks?: { elements?: { value?: string }[] }[] };
    const runId = body.blocks?.flatMap((bl) => bl.elements ?? []).find((e) => e.value)?.value;
    assert.ok(runId, `a Confirm button: ${JSON.stringify(body)}`);
    return runId;
  };
  /** Keeps two live replicas: the survivor, and a fresh one in place of the one a test killed or stopped. */
  let generation = 0;
  const replace = async (gone: Replica) => {
    const survivor = gone === a ? b : a;
    const fresh = await start(`r${++generation}`);
    [a, b] = [survivor, fresh];
  };
  /**
   * Seeds `user` with `size` conversations, asks through A, confirms through `confirmVia`, and waits until
   * `marks` are done; returns the replica doing the work.
   */
  const runUntil = async (user: string, size: number, confirmVia: Replica, marks: number) => {
    im.seed(user, Object.fromEntries(Array.from({ length: size }, (_, i) => [`${user}-${i}`, 1])));
    const runId = await askAll(a, user, `${user}-all`);
    await confirmVia.press('markread_all_confirm', runId, `${user}-go`);
    await slack.until(() => marksOf(user).length >= marks, 15_000);
    const working = await worker();
    assert.ok(working, 'one replica is working on the run');
    return working;
  };
  /** The replica working on something now (its /healthz counts work in flight). */
  const worker = async () => {
    const [ha, hb] = await Promise.all([a.health(), b.health()]);
    return (ha.inFlight as number) > 0 ? a : (hb.inFlight as number) > 0 ? b : undefined;
  };
  /** The summary of `user`'s run: its thread's reply edited to "Finished" or "Stopped" (or posted so). */
  const summaryOf = (user: string) => {
    const parent = parentsOf(user)[0]?.result?.ts;
    if (parent === undefined) return undefined;
    const done = (c: { args: Record<string, unknown> }) => /\*(Finished|Stopped)\*/.test(messageText(c.args));
    const replies = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === parent);
    const posted = replies.find(done);
    if (posted) return posted;
    const replyTs = new Set(replies.map((c) => c.result?.ts));
    return slack.calls.find((c) => c.method === 'chat.update' && replyTs.has(c.args.ts as string) && done(c));
  };
  const parentsOf = (user: string) =>
    slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && !c.args.thread_ts && messageText(c.args).includes(`\`${user}\``),
    );

  it('an --all counted on one replica is confirmed once of two presses on both, and Stop on the other stops it', async () => {
    im.seed('amy', Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`a${i}`, 1])));
    const runId = await askAll(a, 'amy', 'amy-all');
    await Promise.all([
      a.press('markread_all_confirm', runId, 'amy-c1'),
      b.press('markread_all_confirm', runId, 'amy-c2'),
    ]);
    const answers = [await response('amy-c1'), await response('amy-c2')];
    assert.equal(answers.filter((t) => /Confirmed/.test(t)).length, 1, answers.join(' | '));
    assert.equal(answers.filter((t) => /already started/.test(t)).length, 1, answers.join(' | '));
    await slack.until(() => marksOf('amy').length >= 300, 10_000);
    const working = await worker();
    assert.ok(working, 'one replica is working on the run');
    const other = working === a ? b : a;
    const pressed = performance.now();
    await other.press('markread_stop', runId, 'amy-stop');
    assert.match(await response('amy-stop'), /Stopping/);
    await slack.until(() => summaryOf('amy') !== undefined, 10_000);
    const lastMark = Math.max(...marksOf('amy').map((x) => x.at));
    const stopMs = lastMark - pressed;
    assert.ok(stopMs < 2_500, `the last mark left ${stopMs.toFixed(0)} ms after Stop on the other replica`);
    assert.match(messageText(summaryOf('amy')?.args ?? {}), new RegExp(`stopped by <@${ALLOWED}>`));
    assert.ok(marksOf('amy').length < 1_500);
    console.log(`# stop through the other replica: last mark ${stopMs.toFixed(0)} ms after the press`);
  });

  it('cancels on one replica an --all asked on the other; a later Confirm there says it was cancelled', async () => {
    im.seed('cal', { c1: 1, c2: 1 });
    const runId = await askAll(a, 'cal', 'cal-all');
    await b.press('markread_all_cancel', runId, 'cal-cancel');
    assert.match(await response('cal-cancel'), /Cancelled; nothing was changed/);
    await a.press('markread_all_confirm', runId, 'cal-late');
    assert.match(await response('cal-late'), /That run was cancelled; nothing was changed/);
    assert.equal(marksOf('cal').length, 0);
  });

  it('acts once on the same signed request delivered to both replicas', async () => {
    const body = commandBody({
      text: 'rita p1',
      user_id: ALLOWED,
      channel_id: CHANNEL,
      response_url: slack.responseUrl('dup'),
    });
    const headers = signedHeaders(SIGNING_SECRET, body);
    const acks = await Promise.all([a.post(body, headers), b.post(body, headers)]);
    assert.deepEqual(
      acks.map((x) => x.status),
      [200, 200],
    );
    await slack.until(() => marksOf('rita').length >= 1);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(marksOf('rita').length, 1);
    assert.equal(parentsOf('rita').length, 1);
    assert.match(a.output() + b.output(), /"audit":"replay"/);
  });

  it('finishes a single mark whose replica was SIGKILLed mid-call, in the same thread', async () => {
    im.behave = slowOnce(MARK, 'slowpeer', 8_000);
    await a.command('kim slowpeer', 'kim');
    await slack.until(() => marksOf('kim').length === 1, 5_000);
    const victim = await worker();
    assert.ok(victim);
    const killed = performance.now();
    await victim.kill('SIGKILL');
    await slack.until(
      () =>
        slack.calls.some(
          (c) => c.method === 'chat.postMessage' && c.args.thread_ts && /slowpeer/.test(messageText(c.args)),
        ),
      60_000,
    );
    const ms = performance.now() - killed;
    im.behave = undefined;
    assert.ok(ms < 60_000);
    assert.equal(parentsOf('kim').length, 1, 'the new owner posts in the thread the dead one opened');
    assert.equal(marksOf('kim').length, 2, 'marked again by the replica that took over (idempotent)');
    console.log(`# single mark: outcome ${(ms / 1000).toFixed(1)} s after SIGKILL (takeover 2 s)`);
    await replace(victim);
  });

  it('resumes a 2,000-conversation run from where a SIGKILLed replica left it, with one summary', async () => {
    const victim = await runUntil('zed', 2_000, b, 660);
    const killed = performance.now();
    const doneAtKill = marksOf('zed').length;
    await victim.kill('SIGKILL');
    await slack.until(() => summaryOf('zed') !== undefined, 60_000);
    const ms = performance.now() - killed;
    const peers = new Set(marksOf('zed').map((x) => (x.body as { Peer_Account: string }).Peer_Account));
    assert.equal(peers.size, 2_000, 'every conversation marked');
    const redone = marksOf('zed').length - 2_000;
    assert.ok(redone <= 160, `only the batches in flight are redone (${redone}), not the run`);
    assert.match(messageText(summaryOf('zed')?.args ?? {}), /Finished\*: 2000 of 2000 OK, 0 failed/);
    assert.equal(parentsOf('zed').length, 1, 'one parent message');
    assert.equal(im.conversations.get('zed')?.filter((c) => c.unread > 0).length, 0);
    console.log(
      `# bulk run: killed at ${doneAtKill} marks; summary ${(ms / 1000).toFixed(1)} s after SIGKILL; ${redone} redone`,
    );
    await replace(victim);
  });

  it('keeps two replicas’ bulk runs under one ceiling together', async () => {
    im.seed('u1', Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}`, 1])));
    im.seed('u2', Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`y${i}`, 1])));
    const [r1, r2] = await Promise.all([askAll(a, 'u1', 'u1-all'), askAll(b, 'u2', 'u2-all')]);
    const from = im.accepted().length;
    await Promise.all([a.press('markread_all_confirm', r1, 'u1-go'), b.press('markread_all_confirm', r2, 'u2-go')]);
    await slack.until(() => summaryOf('u1') !== undefined && summaryOf('u2') !== undefined, 40_000);
    const arrivals = im
      .accepted()
      .slice(from)
      .map((x) => x.at);
    const most = mostInWindow(arrivals, 1_000);
    const seconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const rate = arrivals.length / seconds;
    console.log(`# two runs at once: ${rate.toFixed(0)} marks/s combined, at most ${most} in any sliding second`);
    assert.ok(most <= 190, `${most} arrivals in one sliding second`);
    assert.ok(rate >= 0.8 * 190, `${rate.toFixed(0)} marks/s`);
  });

  it('hands a run over on SIGTERM: the other replica continues it in the same thread, nothing redone twice', async () => {
    const victim = await runUntil('tom', 1_200, a, 300);
    const stopped = performance.now();
    await victim.kill('SIGTERM');
    assert.equal(victim.child.exitCode, 0, victim.output());
    assert.ok(performance.now() - stopped < 5_000, 'a run is handed over, not drained');
    assert.match(victim.output(), /bulk run handed over/);
    await slack.until(() => summaryOf('tom') !== undefined, 30_000);
    assert.match(messageText(summaryOf('tom')?.args ?? {}), /Finished\*: 1200 of 1200 OK/);
    assert.equal(parentsOf('tom').length, 1);
    const redone = marksOf('tom').length - 1_200;
    assert.ok(redone <= 160, `${redone} redone`);
    await replace(victim);
  });

  it('survives Redis going away mid-run: says so, serves single marks, refuses bulk, and recovers', {
    skip: !redis?.stop,
  }, async () => {
    im.seed('ray', Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`r${i}`, 1])));
    const runId = await askAll(a, 'ray', 'ray-all');
    await a.press('markread_all_confirm', runId, 'ray-go');
    await slack.until(() => marksOf('ray').length >= 300, 10_000);
    await redis?.stop?.();
    for (let i = 0; (await a.health()).redis !== 'down'; i++) {
      assert.ok(i < 50, 'healthz says redis is down');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await a.health()).ok, true, 'still serving');
    await b.command('sol p1', 'sol');
    await slack.until(
      () =>
        slack.calls.some(
          (c) => c.method === 'chat.postMessage' && c.args.thread_ts && /`p1`/.test(messageText(c.args)),
        ),
      10_000,
    );
    const refused = JSON.parse((await b.command('sol p1 p2', 'sol-many')).body) as { text: string };
    assert.match(refused.text, /cannot reach its shared state \(Redis\)/);
    await new Promise((r) => setTimeout(r, 1_000));
    await redis?.restart?.();
    await slack.until(() => summaryOf('ray') !== undefined, 60_000);
    for (let i = 0; (await a.health()).redis !== 'up'; i++) {
      assert.ok(i < 50, 'healthz says redis is up again');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(messageText(summaryOf('ray')?.args ?? {}), /Finished\*: 2000 of 2000 OK/);
    assert.equal(a.child.exitCode, null);
    assert.equal(b.child.exitCode, null);
    assert.equal((a.output().match(/redis is unreachable/g) ?? []).length, 1, 'said once');
  });
});

describe('two replicas in Socket Mode on one Redis', { skip: redis ? false : NO_REDIS }, () => {
  const APP_TOKEN = 'xapp-1-A0MARKREAD-1234-abcdef0123456789';
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const socket = new SocketModeStandIn();
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN, socketMode: socket });
  const replicas: Replica[] = [];
  const payload = (text: string, id: string) =>
    Object.fromEntries(
      new URLSearchParams(
        commandBody({ text, user_id: ALLOWED, channel_id: CHANNEL, response_url: slack.responseUrl(id) }),
      ),
    );

  before(async () => {
    await Promise.all([im.start(), slack.start(), socket.start()]);
    const env = {
      REDIS_URL: redis?.url ?? '',
      MARKREAD_REDIS_PREFIX: 'socket-replicas-test',
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_SIGNING_SECRET: '',
    };
    replicas.push(...(await Promise.all([startReplica('sa', im, slack, env), startReplica('sb', im, slack, env)])));
    await slack.until(() => socket.openCount === 2, 10_000);
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    await Promise.all([im.stop(), slack.stop(), socket.stop()]);
  });

  it('acts once on an envelope delivered on both replicas’ connections, and acks it once', async () => {
    const acks = await socket.deliverToAll('slash_commands', payload('tess p1', 'tess'));
    assert.equal(acks.length, 1, 'one replica answered');
    assert.match(JSON.stringify(acks[0]?.payload), /Working on it/);
    await slack.until(() => im.accepted().length >= 1);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(im.accepted().length, 1);
    assert.match(replicas.map((r) => r.output()).join(''), /"audit":"replay"/);
  });
});

describe('a web replica and a worker replica on one Redis', { skip: redis ? false : NO_REDIS }, () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const replicas: Replica[] = [];
  const env = (role: string) => ({
    REDIS_URL: redis?.url ?? '',
    MARKREAD_REDIS_PREFIX: 'roles-test',
    MARKREAD_ROLE: role,
  });
  let web: Replica;
  let worker: Replica;
  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    [web, worker] = await Promise.all([
      startReplica('web', im, slack, env('web')),
      startReplica('worker', im, slack, env('worker')),
    ]);
    replicas.push(web, worker);
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    await Promise.all([im.stop(), slack.stop()]);
  });

  it('the web replica acks, the worker does the work; the worker receives nothing', async () => {
    const ack = JSON.parse((await web.command('wes p1', 'wes')).body) as { text: string };
    assert.match(ack.text, /Working on it/);
    await slack.until(
      () =>
        slack.calls.some(
          (c) => c.method === 'chat.postMessage' && c.args.thread_ts && /`p1`/.test(messageText(c.args)),
        ),
      10_000,
    );
    assert.match(worker.output(), /"audit":"mark-read"/);
    assert.doesNotMatch(web.output(), /"audit":"mark-read"/, 'the web replica made no IM call for it');
    const health = await worker.health();
    assert.equal(health.role, 'worker');
    assert.equal(health.slack, 'not receiving (worker)');
    assert.equal((await worker.command('wes p2', 'wes2')).status, 404);
  });
});
