import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { AUDIT_KINDS, type AuditDraft, type AuditEvent, AuditEventSchema, isHeadline } from '../src/audit/event.js';
import { AuditLogOutlet } from '../src/audit/log-outlet.js';
import { Audit } from '../src/audit/sink.js';
import type { ConfigError } from '../src/config/config-error.js';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { Secret } from '../src/config/secret.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { AUDIT_EVENT_TYPE, AuditChannelOutlet, createAuditChannel } from '../src/slack/audit/channel-outlet.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { redisBudgets } from '../src/stores/redis/send-budget.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { messageText } from '../stand-ins/message-text.js';
import { type SlackApiCall, SlackStandIn, type SlackStandInOptions } from '../stand-ins/slack-stand-in.js';
import { runCli } from './support/cli-run.js';
import { ADMIN, imEnv, LogCapture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import {
  BOT_TOKEN,
  CHANNEL,
  SIGNING_SECRET,
  type SlackFixture,
  standInEnv,
  startSlackFixture,
  threadReply,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const AUDIT = 'C0AUDIT';

/** The audit channel's messages Slack accepted, in the order they arrived. */
const posted = (slack: SlackStandIn): SlackApiCall[] =>
  slack.callsOf('chat.postMessage').filter((c) => c.args.channel === AUDIT && c.result?.ok === true);
const attempts = (slack: SlackStandIn): SlackApiCall[] =>
  slack.callsOf('chat.postMessage').filter((c) => c.args.channel === AUDIT);

/** The event a message carries as metadata, checked against the schema. */
function payloadOf(call: SlackApiCall): AuditEvent {
  const metadata = call.args.metadata as { event_type?: unknown; event_payload?: unknown };
  assert.equal(metadata.event_type, AUDIT_EVENT_TYPE);
  return AuditEventSchema.parse(metadata.event_payload);
}

function testLogger() {
  const logs = new LogCapture();
  return { logs, logger: createLogger({ level: 'debug', redactor: new Redactor(), destination: logs }) };
}

/** An outlet posting to the stand-in's audit channel through a real Web API client. */
function outletFor(slack: SlackStandIn, tuning: Parameters<typeof createAuditChannel>[2] = {}) {
  const { logs, logger } = testLogger();
  const config = { channel: AUDIT, botToken: new Secret(BOT_TOKEN), apiUrl: slack.apiUrl };
  return { logs, outlet: createAuditChannel(config, { redactor: new Redactor(), logger }, tuning) };
}

/** A headline event as the Slack flows record one: who, what, which app, why, what came of it. */
function draftOf(kind: AuditDraft['kind'], extra: Partial<AuditDraft> = {}): AuditDraft {
  return {
    kind,
    actor: { kind: 'slack', team: 'T0TEAM', user: 'U0ONCALL' },
    via: 'command',
    app: { name: 'prod-chat', sdkAppId: SDK_APP_ID },
    target: { user: 'alice', peers: ['bob'] },
    reason: 'stuck badge <!channel> & more',
    outcome: { status: `${kind}-status`, actionStatus: 'OK', errorCode: 0, unreadBefore: 12, unreadAfter: 0 },
    ...extra,
  };
}

async function healthz(
  port: number,
): Promise<{ audit?: { channel: string; depth: number; dropped: number; posted: number } }> {
  const res = await request(`http://127.0.0.1:${port}/healthz`);
  return (await res.body.json()) as { audit?: { channel: string; depth: number; dropped: number; posted: number } };
}

describe('the audit channel outlet', () => {
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, rateLimited: new Map() });
  before(() => slack.start());
  after(() => slack.stop());

  it('posts every headline event kind with actor, target, app, reason, outcome and the event as metadata', async () => {
    const { outlet } = outletFor(slack, { intervalMs: 10 });
    const { logger } = testLogger();
    const audit = new Audit([new AuditLogOutlet(logger), outlet]);
    const start = posted(slack).length;
    // The pairs of a run and replayed deliveries go to the log line only; recorded first, so that once the last
    // headline has arrived (FIFO) they would have too.
    audit.record(draftOf('mark', { runId: 'r1' }));
    audit.record(draftOf('replayed'));
    const headlines = AUDIT_KINDS.map((kind) => audit.record(draftOf(kind))).filter(isHeadline);
    try {
      await waitFor(() => posted(slack).length - start >= headlines.length, { what: 'every headline posted' });
      const calls = posted(slack).slice(start);
      assert.equal(calls.length, headlines.length);
      assert.deepEqual(
        calls.map((c) => payloadOf(c)),
        headlines,
        'each message carries its own event, in order, and only headlines',
      );
      for (const call of calls) {
        const text = messageText(call.args);
        const kind = payloadOf(call).kind;
        assert.match(text, /<@U0ONCALL>/, `${kind}: the actor`);
        assert.match(text, /`alice` ↔ `bob`/, `${kind}: the target`);
        assert.match(text, new RegExp(`prod-chat \\(${SDK_APP_ID}\\)`), `${kind}: the app`);
        assert.match(text, /stuck badge &lt;!channel&gt; &amp; more/, `${kind}: the reason, escaped`);
        assert.ok(!text.includes('<!channel>'), `${kind}: no live mention from user text`);
        assert.match(text, new RegExp(`${kind}-status.*unread 12 → 0`), `${kind}: the outcome`);
      }
    } finally {
      await outlet.close();
    }
  });

  it('a burst of 50 events reaches the channel at about the configured rate, in order, nothing lost', async () => {
    const { outlet } = outletFor(slack, { intervalMs: 40 });
    const audit = new Audit([outlet]);
    const start = posted(slack).length;
    const events = Array.from({ length: 50 }, (_, i) => audit.record(draftOf('check', { reason: `burst ${i}` })));
    try {
      await waitFor(() => posted(slack).length - start >= 50, { what: '50 audit messages' });
      const calls = posted(slack).slice(start);
      assert.deepEqual(
        calls.map((c) => payloadOf(c).id),
        events.map((e) => e.id),
      );
      assertMeanRateUnder(
        calls.map((c) => c.at),
        25,
        'audit posts at one per 40 ms',
      );
      // The stand-in sees the 50th post a moment before the outlet reads its answer.
      await waitFor(() => outlet.stats().posted === 50, { what: 'the outlet to count the 50th post' });
      assert.deepEqual(outlet.stats(), { channel: AUDIT, depth: 0, dropped: 0, posted: 50 });
    } finally {
      await outlet.close();
    }
  });

  it('honours Retry-After on a 429: the next attempt comes no sooner, and the event is posted once', async () => {
    slack.options.rateLimited?.set(AUDIT, { posts: attempts(slack).length + 2, retryAfter: 1 });
    const { outlet } = outletFor(slack, { intervalMs: 10 });
    const before = attempts(slack).length;
    const event = new Audit([outlet]).record(draftOf('run-stopped'));
    try {
      await waitFor(() => posted(slack).some((c) => payloadOf(c).id === event.id), { what: 'the event posted' });
      const tries = attempts(slack).slice(before);
      assert.equal(tries.length, 3, 'two 429s, then the post');
      const [first, second, third] = tries.map((c) => c.at) as [number, number, number];
      // Stand-in arrival times; a few ms of timer granularity allowed.
      assert.ok(second - first >= 990, `the second attempt came ${second - first} ms after a Retry-After of 1 s`);
      assert.ok(third - second >= 990, `the third attempt came ${third - second} ms after a Retry-After of 1 s`);
      assert.equal(posted(slack).filter((c) => payloadOf(c).id === event.id).length, 1);
    } finally {
      slack.options.rateLimited?.delete(AUDIT);
      await outlet.close();
    }
  });

  it('a full queue drops what does not fit and counts it; the queued events are still posted', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sent: unknown[] = [];
    const { logs, logger } = testLogger();
    const outlet = new AuditChannelOutlet({
      channel: AUDIT,
      logger,
      capacity: 3,
      intervalMs: 1,
      post: async (args) => {
        await gate;
        sent.push(args);
      },
    });
    const audit = new Audit([outlet]);
    for (let i = 0; i < 10; i++) audit.record(draftOf('check'));
    try {
      assert.deepEqual(outlet.stats(), { channel: AUDIT, depth: 3, dropped: 7, posted: 0 });
      const full = logs.records.filter((r) => String(r.msg).includes('the queue was full'));
      assert.equal(full.length, 7, 'each drop is logged');
      assert.equal(full.filter((r) => r.level === 50).length, 1, 'once at error, then at debug');
      release();
      await waitFor(() => outlet.stats().posted === 3, { what: 'the queued three posted' });
      assert.equal(sent.length, 3);
    } finally {
      await outlet.close();
    }
  });
});

describe('the audit channel of the Slack app', () => {
  // Each test starts its own app; a failed one is closed here (close() is idempotent).
  let f: SlackFixture | undefined;
  after(() => f?.close());
  const start = async (options: Parameters<typeof startSlackFixture>[0]) => {
    f = await startSlackFixture(options);
    return f;
  };

  it('a command’s mark reaches the audit channel with a link to its thread, and /healthz shows the channel', async () => {
    const app = await start({ env: { MARKREAD_AUDIT_CHANNEL: AUDIT }, app: { auditChannel: { intervalMs: 20 } } });
    assert.equal((await app.command('alice bob')).status, 200);
    const call = await waitFor(() => posted(app.slack).find((c) => payloadOf(c).kind === 'mark'), {
      what: 'the mark in the audit channel',
    });
    const event = payloadOf(call);
    const reply = threadReply(app.slack.calls, 'alice', 'bob');
    assert.ok(reply, 'the thread reply was posted');
    assert.equal(event.thread?.channel, CHANNEL);
    assert.equal(
      event.thread?.link,
      `https://stand-in.slack.com/archives/${CHANNEL}/p${String(event.thread?.ts).replace('.', '')}`,
    );
    assert.ok(messageText(call.args).includes(`<${event.thread?.link}|thread>`), messageText(call.args));
    assert.equal(event.actor.kind === 'slack' && event.actor.user, 'U0ONCALL');
    const health = await healthz(app.port);
    assert.equal(health.audit?.channel, AUDIT);
    assert.equal(health.audit?.posted, posted(app.slack).length);
    assert.equal(health.audit?.dropped, 0);
    await app.close();
  });

  it('drops past the queue cap are counted and visible in /healthz while Slack rate-limits the channel', async () => {
    const app = await start({
      env: { MARKREAD_AUDIT_CHANNEL: AUDIT },
      slack: { rateLimited: new Map([[AUDIT, { posts: 1, retryAfter: 3 }]]) },
      app: { auditChannel: { intervalMs: 20, capacity: 2 } },
    });
    const peers = ['bob', 'carol', 'dave', 'erin', 'frank'];
    await Promise.all(peers.map((peer) => app.command(`alice ${peer}`)));
    await waitFor(() => peers.every((peer) => threadReply(app.slack.calls, 'alice', peer)), {
      what: 'five marks done',
    });
    const during = await healthz(app.port);
    assert.ok(
      (during.audit?.dropped ?? 0) >= 1,
      `drops while the channel waits out its 429: ${JSON.stringify(during)}`,
    );
    const settled = await waitFor(
      async () => {
        const h = await healthz(app.port);
        return h.audit && h.audit.depth === 0 && h.audit.posted + h.audit.dropped === peers.length && h.audit;
      },
      { what: 'every mark posted or dropped' },
    );
    assert.equal(posted(app.slack).length, settled.posted);
    assert.equal(settled.dropped, during.audit?.dropped, 'nothing dropped after the queue had room');
    assert.ok(app.logs.records.some((r) => String(r.msg).includes('the queue was full')));
    await app.close();
  });

  it('a stop flushes the queue: what was waiting is posted before the app stops', async () => {
    const app = await start({ env: { MARKREAD_AUDIT_CHANNEL: AUDIT }, app: { auditChannel: { intervalMs: 400 } } });
    const peers = ['bob', 'carol', 'dave', 'erin'];
    await Promise.all(peers.map((peer) => app.command(`alice ${peer}`)));
    await waitFor(() => peers.every((peer) => threadReply(app.slack.calls, 'alice', peer)), {
      what: 'four marks done',
    });
    const waiting = (await healthz(app.port)).audit?.depth ?? 0;
    assert.ok(waiting > 0, 'some audit messages still wait at stop time');
    await app.handle.stop(10_000);
    const marks = posted(app.slack).filter((c) => payloadOf(c).kind === 'mark');
    assert.deepEqual(marks.map((c) => payloadOf(c).target?.peers?.[0]).sort(), [...peers].sort());
    await app.close();
  });

  it('names a channel the bot is not in at start-up, keeps serving commands, and drops without retrying', async () => {
    const slack: Partial<SlackStandInOptions> = {
      channelErrors: new Map([[AUDIT, 'not_in_channel']]),
      // A token without chat:write.public: a public channel needs an invite.
      scopes: ['commands', 'chat:write', 'channels:read', 'groups:read'],
    };
    const app = await start({
      env: { MARKREAD_AUDIT_CHANNEL: AUDIT },
      slack,
      app: { auditChannel: { intervalMs: 20 } },
    });
    const named = await waitFor(
      () => app.logs.records.find((r) => /audit channel: not_in_channel/.test(String(r.msg))),
      { what: 'the start-up line naming the audit channel' },
    );
    assert.match(String(named.msg), /invite @markread to #c0audit/);
    assert.match(String(named.msg), /markread keeps serving/);
    assert.equal((await app.command('alice bob')).status, 200);
    await waitFor(() => threadReply(app.slack.calls, 'alice', 'bob'), { what: 'the command served' });
    const health = await waitFor(
      async () => {
        const h = await healthz(app.port);
        return h.audit?.dropped === 1 && h.audit;
      },
      { what: 'the refused audit message counted' },
    );
    assert.equal(health.posted, 0);
    assert.equal(attempts(app.slack).length, 1, 'not_in_channel is not retried');
    const refused = app.logs.records.filter((r) => /did not get an audit message \(not_in_channel/.test(String(r.msg)));
    assert.equal(refused.length, 1, 'logged once, clearly');
    assert.match(String(refused[0]?.msg), /invite @markread to the channel C0AUDIT/);
    await app.close();
  });
});

describe('the audit channel across replicas on Redis', async () => {
  const redis = await startTestRedis();
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const links: RedisLink[] = [];
  before(() => slack.start());
  after(async () => {
    for (const link of links) await link.close();
    await slack.stop();
    await redis?.close();
  });

  it('two replicas share one rate for the channel', { skip: redis ? false : NO_REDIS }, async () => {
    const config = loadRedisConfig({ REDIS_URL: redis?.url }, SDK_APP_ID);
    assert.ok(config);
    const prefix = `audit-${randomUUID().slice(0, 8)}:`;
    const { logger } = testLogger();
    // Two links on one prefix are two replicas of one deployment; a 100 ms window: 10 posts a second between them.
    const replicas = [0, 1].map(() => {
      const link = new RedisLink({ ...config, prefix }, logger);
      links.push(link);
      return outletFor(slack, { budgets: redisBudgets(link, logger, { windowMs: 100, marginMs: 0 }) }).outlet;
    });
    await Promise.all(links.map((l) => waitFor(() => l.up, { what: 'Redis up' })));
    const audits = replicas.map((outlet) => new Audit([outlet]));
    for (let i = 0; i < 10; i++) for (const audit of audits) audit.record(draftOf('check'));
    try {
      await waitFor(() => posted(slack).length >= 20, { what: '20 audit messages from two replicas' });
      assertMeanRateUnder(
        posted(slack).map((c) => c.at),
        10,
        'two replicas together',
      );
      await waitFor(() => replicas.every((o) => o.stats().posted === 10), { what: 'each replica to count its 10' });
    } finally {
      await Promise.all(replicas.map((o) => o.close()));
    }
  });
});

describe('markread doctor and the audit channel', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, channelErrors: new Map([['C0GONE', 'channel_not_found']]) });
  before(() => Promise.all([im.start(), slack.start()]));
  after(() => Promise.all([im.stop(), slack.stop()]));

  it('names a channel that does not exist or that the bot is not in, with the fix (exit 1)', async () => {
    const env = { ...standInEnv(im, slack), SLACK_SIGNING_SECRET: SIGNING_SECRET, MARKREAD_AUDIT_CHANNEL: 'C0GONE' };
    const { code, stdout } = await runCli(['doctor'], env);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /✗ audit channel: channel_not_found: C0GONE does not exist, or is private/);
    assert.match(stdout, /fix: invite @markread to the channel/);
    const good = await runCli(['doctor'], { ...env, MARKREAD_AUDIT_CHANNEL: AUDIT });
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /✓ audit channel: #c0audit \(C0AUDIT\)/);
  });
});

describe('the CLI and the audit channel', () => {
  const im = new ImStandIn({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: SECRET_KEY,
    accounts: new Set(['alice', 'bob']),
  });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const held: Socket[] = [];
  // A Slack that takes the connection and never answers.
  const silent = createServer((socket) => {
    held.push(socket);
  });
  let env: Record<string, string>;
  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    silent.listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    env = {
      ...imEnv(im.url),
      TIM_TIMEOUT_MS: '500',
      TIM_DEADLINE_MS: '1500',
      MARKREAD_AUDIT_CHANNEL: AUDIT,
      SLACK_BOT_TOKEN: BOT_TOKEN,
    };
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    silent.close();
    await Promise.all([im.stop(), slack.stop()]);
  });

  it('the CLI’s events reach the audit channel, with the OS user and host as actor', async () => {
    const { code, stderr } = await runCli(['alice', 'bob'], { ...env, SLACK_API_URL: slack.apiUrl });
    assert.equal(code, 0, stderr);
    const mark = posted(slack).find((c) => payloadOf(c).kind === 'mark');
    assert.ok(mark, 'posted before the CLI exited');
    const event = payloadOf(mark);
    assert.equal(event.actor.kind, 'cli');
    assert.equal(event.via, 'cli');
    assert.match(messageText(mark.args), /\(CLI\) marked read `alice` ↔ `bob`/);
    assert.doesNotMatch(stderr, /not posted/);
  });

  it('with a Slack that never answers, the CLI exits with its own code after a bounded wait, saying so', async () => {
    const address = silent.address() as { port: number };
    const { code, stderr } = await runCli(['alice', 'ghost'], {
      ...env,
      SLACK_API_URL: `http://127.0.0.1:${address.port}/api/`,
    });
    assert.ok(held.length > 0, 'the CLI did try to post');
    assert.equal(code, 1, `the API answered FAIL for ghost: the exit code is the work's\n${stderr}`);
    assert.match(
      stderr,
      /the audit message was not posted to the audit channel C0AUDIT \(Slack did not answer within 3 s\)/,
    );
    assert.match(stderr, /the audit log line on stderr has it/);
    assert.ok(stderr.includes('"kind":"mark"'), 'the log line has the event');
  });
});

describe('MARKREAD_AUDIT_CHANNEL', () => {
  it('must be a channel ID: a #name is refused with the variable named, by the app and by the CLI (exit 2)', async () => {
    const base = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      MARKREAD_ALLOWED_USERS: 'U0ONCALL',
    };
    assert.equal(loadSlackConfig({ ...base, MARKREAD_AUDIT_CHANNEL: AUDIT }).auditChannel, AUDIT);
    assert.throws(
      () => loadSlackConfig({ ...base, MARKREAD_AUDIT_CHANNEL: '#ops-audit' }),
      (error: ConfigError) => error.problems.some((p) => /^MARKREAD_AUDIT_CHANNEL: expected a channel ID/.test(p)),
    );
    const cli = await runCli(['alice', 'bob'], {
      ...imEnv('http://127.0.0.1:9/'),
      MARKREAD_AUDIT_CHANNEL: '#ops-audit',
      SLACK_BOT_TOKEN: BOT_TOKEN,
    });
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /MARKREAD_AUDIT_CHANNEL: expected a channel ID/);
    assert.ok(!cli.stderr.includes(BOT_TOKEN));
  });
});
