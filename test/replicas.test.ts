import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { commandBody, signedHeaders } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { SocketModeStandIn } from '../stand-ins/socket-mode-stand-in.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { type Replica, startReplica } from './support/replica.js';
import { twoReplicas } from './support/replica-world.js';
import { ALLOWED, BOT_TOKEN, CHANNEL, SIGNING_SECRET, threadReply } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const redis = await startTestRedis();
after(() => redis?.close());

const replayed = (replicas: Replica[]) => /"kind":"replayed"/.test(replicas.map((r) => r.output()).join(''));

describe('two replicas on one Redis', { skip: redis ? false : NO_REDIS }, () => {
  const w = twoReplicas(redis?.url ?? '', 'replicas-test');

  it('an --all counted on one replica is confirmed once of two presses on both, and Stop on the other stops it', async () => {
    w.im.seed('amy', Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`a${i}`, 1])));
    const runId = await w.askAll(w.a, 'amy', 'amy-all');
    await Promise.all([
      w.a.press('markread_all_confirm', runId, 'amy-c1'),
      w.b.press('markread_all_confirm', runId, 'amy-c2'),
    ]);
    const answers = [await w.response('amy-c1'), await w.response('amy-c2')];
    assert.equal(answers.filter((t) => /Confirmed/.test(t)).length, 1, answers.join(' | '));
    assert.equal(answers.filter((t) => /already started/.test(t)).length, 1, answers.join(' | '));
    await w.marked('amy', 300);
    const working = await w.worker();
    assert.ok(working, 'one replica is working on the run');
    const other = working === w.a ? w.b : w.a;
    await other.press('markread_stop', runId, 'amy-stop');
    assert.match(await w.response('amy-stop'), /Stopping/);
    assert.match(await w.summary('amy'), new RegExp(`stopped by <@${ALLOWED}>`));
    assert.ok(w.marksOf('amy').length < 1_500, `${w.marksOf('amy').length} of 1,500 marked`);
  });

  it('cancels on one replica an --all asked on the other; a later Confirm there says it was cancelled', async () => {
    w.im.seed('cal', { c1: 1, c2: 1 });
    const runId = await w.askAll(w.a, 'cal', 'cal-all');
    await w.b.press('markread_all_cancel', runId, 'cal-cancel');
    assert.match(await w.response('cal-cancel'), /Cancelled; nothing was changed/);
    await w.a.press('markread_all_confirm', runId, 'cal-late');
    assert.match(await w.response('cal-late'), /That run was cancelled; nothing was changed/);
    assert.equal(w.marksOf('cal').length, 0);
  });

  it('acts once on the same signed request delivered to both replicas', async () => {
    const body = commandBody({
      text: 'rita p1',
      user_id: ALLOWED,
      channel_id: CHANNEL,
      response_url: w.slack.responseUrl('dup'),
    });
    const headers = signedHeaders(SIGNING_SECRET, body);
    const acks = await Promise.all([w.a.post(body, headers), w.b.post(body, headers)]);
    assert.deepEqual(
      acks.map((x) => x.status),
      [200, 200],
    );
    // Both have decided (one acts, one logs the replay) and the one acting has posted its outcome.
    await waitFor(() => replayed([w.a, w.b]), { what: 'the replay to be recorded' });
    await w.outcome('rita', 'p1');
    assert.equal(w.marksOf('rita').length, 1);
    assert.equal(w.parentsOf('rita').length, 1);
  });

  it('keeps two replicas’ bulk runs under one ceiling together', async () => {
    w.im.seed('u1', Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}`, 1])));
    w.im.seed('u2', Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`y${i}`, 1])));
    const [r1, r2] = await Promise.all([w.askAll(w.a, 'u1', 'u1-all'), w.askAll(w.b, 'u2', 'u2-all')]);
    await Promise.all([w.a.press('markread_all_confirm', r1, 'u1-go'), w.b.press('markread_all_confirm', r2, 'u2-go')]);
    for (const user of ['u1', 'u2']) assert.match(await w.summary(user), /Finished\*: 1000 of 1000 OK, 0 failed/);
    const marks = [...w.marksOf('u1'), ...w.marksOf('u2')];
    assert.equal(marks.length, 2_000, 'one call a pair: none refused, none retried');
    // Each replica keeping 190/s on its own would reach 380/s together.
    const rate = assertMeanRateUnder(
      marks.map((x) => x.at),
      190,
      'marks of two runs on two replicas, TIM_MAX_RPS=190',
    );
    console.log(`# two runs at once: ${rate.toFixed(0)} marks/s combined on average`);
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
    await waitFor(() => socket.openCount === 2, { what: 'both replicas to connect' });
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    await Promise.all([im.stop(), slack.stop(), socket.stop()]);
  });

  it('acts once on an envelope delivered on both replicas’ connections, and acks it once', async () => {
    const acks = await socket.deliverToAll('slash_commands', payload('tess p1', 'tess'));
    assert.equal(acks.length, 1, 'one replica answered');
    assert.match(JSON.stringify(acks[0]?.payload), /Working on it/);
    await waitFor(() => replayed(replicas), { what: 'the replay to be recorded' });
    await waitFor(() => threadReply(slack.calls, 'tess', 'p1'), { what: 'the outcome of tess ↔ p1' });
    assert.equal(im.accepted().length, 1);
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
    await waitFor(() => threadReply(slack.calls, 'wes', 'p1'), { what: 'the outcome of wes ↔ p1' });
    assert.match(worker.output(), /"msg":"audit mark: /);
    assert.doesNotMatch(web.output(), /"msg":"audit mark: /, 'the web replica made no IM call for it');
    const health = await worker.health();
    assert.equal(health.role, 'worker');
    assert.equal(health.slack, 'not receiving (worker)');
    assert.equal((await worker.command('wes p2', 'wes2')).status, 404);
  });
});
