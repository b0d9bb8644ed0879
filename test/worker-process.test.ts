import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY, slowOnce } from './support/im-fixture.js';
import { alive, childrenOf } from './support/processes.js';
import { type Replica, startReplica } from './support/replica.js';
import { ALLOWED, BOT_TOKEN, messageText } from './support/slack-fixture.js';

const MARK = 'v4/openim/admin_set_msg_read';

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `npm start` without Redis: one real web process (dist/src/main.js) that acks, and the worker process it forks
 * that does the work, against the IM and Slack stand-ins.
 */
describe('the web process and its worker process', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const started: Replica[] = [];
  const start = async (name: string, env: Record<string, string> = {}) => {
    const r = await startReplica(name, im, slack, { TIM_MAX_RPS: '190', MARKREAD_DRAIN_MS: '1000', ...env });
    started.push(r);
    return r;
  };
  let app: Replica;

  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    app = await start('web');
  });
  after(async () => {
    for (const r of started) for (const pid of childrenOf(r.child.pid ?? 0)) process.kill(pid, 'SIGKILL');
    await Promise.all(started.map((r) => r.kill('SIGKILL')));
    await Promise.all([im.stop(), slack.stop()]);
  });

  const marksOf = (user: string) =>
    im.accepted().filter((x) => (x.body as { Report_Account?: string }).Report_Account === user);
  const parentsOf = (user: string) =>
    slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && !c.args.thread_ts && messageText(c.args).includes(`\`${user}\``),
    );
  const threadReplies = (pattern: RegExp) =>
    slack.calls.filter(
      (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && pattern.test(messageText(c.args)),
    );
  const workerOf = (r: Replica) => waitFor('the worker process', () => childrenOf(r.child.pid ?? 0)[0]);

  it('acks in the web process, does the work in the worker it started, and says so in /healthz', async () => {
    // Ready as soon as the web process listens (commands wait for the worker); the worker is up moments later.
    await waitFor('the worker to be up', async () => (await app.health()).worker === 'up' || undefined);
    const worker = await workerOf(app);
    assert.match(readFileSync(`/proc/${worker}/cmdline`, 'utf8'), /worker-main\.js/);
    const ack = await app.command('wes p1', 'wes');
    assert.equal(ack.status, 200);
    await slack.until(() => threadReplies(/`p1`/).length > 0 && marksOf('wes').length === 1, 10_000);
    assert.equal(parentsOf('wes').length, 1);
    // The audit line of the mark is written by the worker.
    assert.match(app.output(), /"process":"worker","audit":"mark-read".*"peer":"p1"/);
  });

  it('restarts a SIGKILLed worker and finishes its mark in the same thread', async () => {
    im.behave = slowOnce(MARK, 'slowpeer', 8_000);
    await app.command('kim slowpeer', 'kim');
    await slack.until(() => marksOf('kim').length === 1, 5_000);
    const victim = await workerOf(app);
    const killed = performance.now();
    process.kill(victim, 'SIGKILL');
    const restarting = await waitFor('healthz to say restarting', async () => {
      const h = await app.health();
      return typeof h.worker === 'string' && h.worker.startsWith('restarting') ? h : undefined;
    });
    assert.equal(restarting.ok, true, 'still ready: commands are acked and wait for the worker');
    assert.match(String(restarting.worker), /killed by SIGKILL/);
    await slack.until(() => threadReplies(/slowpeer/).some((c) => c.args.thread_ts), 15_000);
    const ms = performance.now() - killed;
    im.behave = undefined;
    assert.equal(parentsOf('kim').length, 1, 'the new worker posts in the thread the dead one opened');
    assert.equal(marksOf('kim').length, 2, 'marked again by the new worker (idempotent)');
    assert.notEqual(await workerOf(app), victim);
    assert.equal((await app.health()).worker, 'up');
    console.log(`# worker SIGKILLed mid-mark: outcome ${(ms / 1000).toFixed(1)} s after the kill`);
  });

  it('Stop pressed in the web process stops a run its worker is doing', async () => {
    im.seed('amy', Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`a${i}`, 1])));
    await app.command('amy --all', 'amy-all');
    await slack.until(() => slack.responses.some((r) => r.id === 'amy-all'), 10_000);
    const body = slack.responses.find((r) => r.id === 'amy-all')?.body as {
      blocks?: { elements?: { value?: string }[] }[];
    };
    const runId = body.blocks?.flatMap((b) => b.elements ?? []).find((e) => e.value)?.value;
    assert.ok(runId);
    await app.press('markread_all_confirm', runId, 'amy-go');
    await slack.until(() => marksOf('amy').length >= 300, 10_000);
    const pressed = performance.now();
    await app.press('markread_stop', runId, 'amy-stop');
    await slack.until(() => threadReplies(/\*Stopped\*/).some((c) => /amy/.test(JSON.stringify(c.args))), 10_000);
    const stopMs = Math.max(...marksOf('amy').map((x) => x.at)) - pressed;
    assert.ok(stopMs < 2_500, `the last mark left ${stopMs.toFixed(0)} ms after Stop`);
    assert.ok(marksOf('amy').length < 1_500);
    assert.match(JSON.stringify(threadReplies(/\*Stopped\*/).at(-1)?.args), new RegExp(`stopped by <@${ALLOWED}>`));
  });

  it('kills and replaces a worker that stops answering (SIGSTOP), and its mark still lands in its thread', async () => {
    const web = await start('web3', { MARKREAD_WORKER_TIMEOUT_MS: '1500' });
    const stuck = await workerOf(web);
    await waitFor('the worker to be up', async () => (await web.health()).worker === 'up' || undefined);
    im.behave = slowOnce(MARK, 'frozen', 3_000);
    await web.command('ivy frozen', 'ivy');
    await slack.until(() => marksOf('ivy').length === 1, 5_000);
    process.kill(stuck, 'SIGSTOP');
    const health = await waitFor('healthz to say the worker was killed as stuck', async () => {
      const h = await web.health();
      return /answering nothing/.test(String(h.worker)) ? h : undefined;
    });
    assert.equal(health.ok, true);
    await slack.until(() => threadReplies(/frozen/).some((c) => c.args.thread_ts), 15_000);
    im.behave = undefined;
    assert.equal(alive(stuck), false, 'the stuck worker is gone');
    assert.equal(parentsOf('ivy').length, 1);
    assert.match(web.output(), /the worker process is not answering; killed after answering nothing for \d+ s/);
  });

  it('on SIGTERM, tells the requester of a command acked while its worker was being restarted', async () => {
    const web = await start('web4');
    await waitFor('the worker to be up', async () => (await web.health()).worker === 'up' || undefined);
    process.kill(await workerOf(web), 'SIGKILL');
    await waitFor('the restart', async () => /restarting/.test(String((await web.health()).worker)) || undefined);
    // Acked with no worker to run it; the replacement is a second away, and the SIGTERM comes first.
    assert.equal((await web.command('una p9', 'una')).status, 200);
    await web.kill('SIGTERM');
    assert.equal(web.child.exitCode, 0, web.output());
    await slack.until(() => slack.responses.some((r) => r.id === 'una'), 5_000);
    const told = messageText(slack.responses.find((r) => r.id === 'una')?.body ?? {});
    assert.match(told, /Interrupted.*before this started\. Nothing was sent to the IM API/s);
    assert.match(told, /\/markread una p9/);
    assert.equal(marksOf('una').length, 0);
    assert.match(web.output(), /"audit":"interrupted".*"sent":false/);
  });

  it('when the web process is SIGKILLed, its worker tells the waiting requester and exits', async () => {
    const other = await start('web2');
    const worker = await workerOf(other);
    im.behave = (x) =>
      x.command === MARK && (x.body as { Peer_Account?: string }).Peer_Account === 'hangs'
        ? { json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs: 20_000 }
        : undefined;
    await other.command('orla hangs', 'orla');
    await slack.until(() => marksOf('orla').length === 1, 5_000);
    await other.kill('SIGKILL');
    await slack.until(() => threadReplies(/Interrupted/).some((c) => /hangs/.test(messageText(c.args))), 10_000);
    await waitFor('the orphaned worker to exit', () => !alive(worker) || undefined, 10_000);
    im.behave = undefined;
  });
});
