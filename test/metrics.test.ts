import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { loadImConfig } from '../src/config/im-config.js';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { createImRuntime } from '../src/im-runtime.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { Metrics } from '../src/metrics/metrics.js';
import { createSlackApp } from '../src/slack/app.js';
import { redisState } from '../src/stores/redis/state.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { commandBody } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { SocketModeStandIn } from '../stand-ins/socket-mode-stand-in.js';
import { ADMIN, LogCapture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import {
  ALLOWED,
  BOT_TOKEN,
  CHANNEL,
  SIGNING_SECRET,
  type SlackFixture,
  standInEnv,
  startSlackFixture,
  threadReply,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text format, read simply: one sample per line that is not a comment. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1] as string, l[2] as string]),
    );
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of `name`'s samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(port: number): Promise<{ status: number; text: string; samples: Sample[] }> {
  const res = await request(`http://127.0.0.1:${port}/metrics`);
  const text = await res.body.text();
  return { status: res.statusCode, text, samples: res.statusCode === 200 ? parse(text) : [] };
}

/** Scrapes until `name` with `labels` reaches `atLeast`: audit events and IM calls end after the ack. */
async function until(port: number, name: string, labels: Record<string, string>, atLeast: number) {
  return waitFor(
    async () => {
      const { samples } = await scrape(port);
      return total(samples, name, labels) >= atLeast && samples;
    },
    { what: `${name}${JSON.stringify(labels)} to reach ${atLeast}` },
  );
}

describe('GET /metrics, HTTP mode, the whole app against the stand-ins', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({ accounts: new Set(['alice', 'bob', 'carol']) });
  });
  after(() => f.close());

  it('a mark through the app moves the marks counter for its outcome, the IM call histogram and the HTTP acks', async () => {
    const was = (await scrape(f.port)).samples;
    await f.command('alice bob');
    await waitFor(() => threadReply(f.slack.calls, 'alice', 'bob'), { what: 'the outcome of alice ↔ bob' });
    const now = await until(f.port, 'markread_marks_total', { outcome: 'ok' }, 1);
    const ok = { app: 'default', outcome: 'ok' };
    assert.equal(total(now, 'markread_marks_total', ok) - total(was, 'markread_marks_total', ok), 1);
    assert.equal(total(now, 'markread_marks_total', { outcome: 'failed' }), 0);
    const marked = { app: 'default', api: 'v4/openim/admin_set_msg_read', outcome: 'ok' };
    assert.ok(total(now, 'markread_im_call_duration_seconds_count', marked) >= 1, 'the mark call was timed');
    assert.ok(total(now, 'markread_im_budget_wait_seconds_count', { api: 'v4/openim/admin_set_msg_read' }) >= 1);
    assert.ok(total(now, 'markread_ack_duration_seconds_count', { transport: 'http' }) >= 1);
    assert.ok(total(now, 'markread_slack_requests_total', { kind: 'command' }) >= 1);
    assert.equal(total(now, 'markread_im_circuit_state', { state: 'closed' }), 1, 'the stand-in host, closed');
    assert.ok(total(now, 'process_cpu_user_seconds_total') > 0, "Node's default process metrics are there");
  });

  it('an IM error moves its ErrorCode series and the failed marks', async () => {
    const was = (await scrape(f.port)).samples;
    await f.command('alice ghost');
    await waitFor(() => threadReply(f.slack.calls, 'alice', 'ghost'), { what: 'the outcome of alice ↔ ghost' });
    // The stand-in answers 90003 for a Peer_Account that does not exist, as the real API does.
    const code = { app: 'default', error_code: '90003' };
    const now = await until(f.port, 'markread_im_errors_total', code, total(was, 'markread_im_errors_total', code) + 1);
    const failed = { app: 'default', outcome: 'failed' };
    assert.equal(total(now, 'markread_marks_total', failed) - total(was, 'markread_marks_total', failed), 1);
  });

  it('a refused stranger moves the refusals counter, by reason', async () => {
    const reason = { reason: 'not-allowed' };
    const was = total((await scrape(f.port)).samples, 'markread_refusals_total', reason);
    const ack = await f.command('alice bob', { user: 'U0STRANGER' });
    assert.match(ack.body, /can't use/);
    const now = await until(f.port, 'markread_refusals_total', reason, was + 1);
    assert.equal(total(now, 'markread_refusals_total', reason), was + 1);
  });

  it('a scrape never holds a user ID, a peer, a token or a key', async () => {
    // After the tests above: marks, an IM error and a refusal, each naming people, have been counted.
    const { status, text } = await scrape(f.port);
    assert.equal(status, 200);
    assert.ok(text.includes('markread_marks_total'), 'something to look through');
    for (const value of [
      'alice',
      'bob',
      'ghost',
      'U0STRANGER',
      ALLOWED,
      CHANNEL,
      ADMIN,
      BOT_TOKEN,
      SIGNING_SECRET,
      SECRET_KEY,
    ])
      assert.ok(!text.includes(value), `the scrape holds ${value}`);
  });

  it('answers while the IM API is stopped', async () => {
    await f.im.stop();
    const { status, samples } = await scrape(f.port);
    assert.equal(status, 200);
    assert.ok(samples.some((s) => s.name === 'markread_work_queue_jobs'));
  });
});

describe('MARKREAD_METRICS=false', () => {
  it('turns GET /metrics off: 404, while /healthz answers', async () => {
    const f = await startSlackFixture({ env: { MARKREAD_METRICS: 'false' } });
    try {
      assert.equal((await scrape(f.port)).status, 404);
      assert.equal((await request(`http://127.0.0.1:${f.port}/healthz`)).statusCode, 200);
    } finally {
      await f.close();
    }
  });
});

describe('GET /metrics in Socket Mode', () => {
  it('answers, with the socket acks and the connection state', async () => {
    const APP_TOKEN = 'xapp-1-A0MARKREAD-1234-abcdef0123456789';
    const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    const socket = new SocketModeStandIn();
    const slack = new SlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN, socketMode: socket });
    await Promise.all([im.start(), slack.start(), socket.start()]);
    const env = { ...standInEnv(im, slack), SLACK_APP_TOKEN: APP_TOKEN };
    const metrics = new Metrics();
    const runtime = createImRuntime(loadImConfig(env).config, {
      destination: new LogCapture(),
      observe: metrics.imObserver,
    });
    const handle = createSlackApp(loadSlackConfig(env), runtime, { startupWaitMs: 3_000, metrics });
    try {
      const port = await handle.start();
      const payload = Object.fromEntries(
        new URLSearchParams(
          commandBody({
            text: 'alice bob',
            user_id: ALLOWED,
            channel_id: CHANNEL,
            response_url: slack.responseUrl('s'),
          }),
        ),
      );
      assert.ok(await socket.deliver('slash_commands', payload), 'the envelope was acked');
      const samples = await until(port, 'markread_ack_duration_seconds_count', { transport: 'socket' }, 1);
      assert.equal(total(samples, 'markread_slack_connected'), 1);
    } finally {
      await handle.stop(2_000);
      await Promise.all([im.stop(), slack.stop(), socket.stop()]);
    }
  });
});

const redis = await startTestRedis();
after(() => redis?.close());

describe('GET /metrics on a worker replica', { skip: redis ? false : NO_REDIS }, () => {
  let f: SlackFixture;
  let state: ReturnType<typeof redisState>;
  before(async () => {
    const env = { REDIS_URL: redis?.url ?? '', MARKREAD_REDIS_PREFIX: 'metrics-test', MARKREAD_ROLE: 'worker' };
    const config = loadRedisConfig(env, SDK_APP_ID);
    assert.ok(config);
    const logger = createLogger({ level: 'fatal', redactor: new Redactor(), destination: new LogCapture() });
    state = redisState(config, logger);
    f = await startSlackFixture({ app: { state } });
  });
  after(async () => {
    await f.close();
    await state.close();
  });

  it('answers, with the work queue, and no Slack connection gauge (a worker has none)', async () => {
    const { status, samples } = await scrape(f.port);
    assert.equal(status, 200);
    assert.equal(total(samples, 'markread_work_queue_jobs', { state: 'waiting' }), 0);
    assert.ok(!samples.some((s) => s.name === 'markread_slack_connected'));
  });

  it('answers while Redis is down', {
    skip: redis?.stop ? false : 'an external Redis is not ours to stop',
  }, async () => {
    await redis?.stop?.();
    await waitFor(() => state.health() === 'down', { what: 'the replica to see Redis down' });
    const { status, samples } = await scrape(f.port);
    assert.equal(status, 200);
    assert.ok(samples.some((s) => s.name === 'markread_work_queue_jobs'));
  });
});
