import { performance } from 'node:perf_hooks';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { ADMIN, maxInSlidingWindow as mostInWindow, SDK_APP_ID, SECRET_KEY } from '../test/support/im-fixture.js';
import { startTestRedis } from '../test/support/redis-server.js';
import { type Replica, startReplica } from '../test/support/replica.js';
import { BOT_TOKEN, messageText } from '../test/support/slack-fixture.js';

const MAX_RPS = 190;
const PER_RUN = 2_000;

interface World {
  im: ImStandIn;
  slack: SlackStandIn;
}

const marksOf = (w: World, user: string) =>
  w.im.accepted().filter((x) => (x.body as { Report_Account?: string }).Report_Account === user);

/** Counts, confirms and waits for the summary of `user`'s --all through `via`. */
async function runAll(w: World, via: Replica, user: string): Promise<void> {
  w.im.seed(user, Object.fromEntries(Array.from({ length: PER_RUN }, (_, i) => [`${user}-${i}`, 1])));
  await via.command(`${user} --all`, `${user}-ask`);
  await w.slack.until(() => w.slack.responses.some((r) => r.id === `${user}-ask`), 20_000);
  const body = w.slack.responses.find((r) => r.id === `${user}-ask`)?.body as {
    blocks?: { elements?: { value?: string }[] }[];
  };
  const runId = body.blocks?.flatMap((b) => b.elements ?? []).find((e) => e.value)?.value ?? '';
  await via.press('markread_all_confirm', runId, `${user}-go`);
}

const summarised = (w: World, user: string) =>
  w.slack.calls.some(
    (c) =>
      c.method === 'chat.update' &&
      /\*Finished\*/.test(messageText(c.args)) &&
      JSON.stringify(c.args).includes(`${PER_RUN} of ${PER_RUN}`) &&
      marksOf(w, user).length >= PER_RUN,
  );

async function scenario(name: string, replicas: number, env: Record<string, string>) {
  const w: World = {
    im: new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY }),
    slack: new SlackStandIn({ botToken: BOT_TOKEN }),
  };
  await Promise.all([w.im.start(), w.slack.start()]);
  const apps = await Promise.all(
    Array.from({ length: replicas }, (_, i) =>
      startReplica(`bench-${i}`, w.im, w.slack, { TIM_MAX_RPS: String(MAX_RPS), ...env }),
    ),
  );
  try {
    const users = apps.map((_, i) => `${name.replace(/\W/g, '')}${i}`);
    const from = w.im.accepted().length;
    await Promise.all(apps.map((app, i) => runAll(w, app, users[i] as string)));
    await w.slack.until(() => users.every((u) => summarised(w, u)), 120_000);
    const arrivals = w.im
      .accepted()
      .slice(from)
      .map((a) => a.at);
    const seconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const rate = arrivals.length / seconds;
    return {
      scenario: name,
      'runs at once': replicas,
      marks: arrivals.length,
      'marks/s together': Math.round(rate),
      '% of TIM_MAX_RPS': Math.round((100 * rate) / MAX_RPS),
      'most in a sliding second': mostInWindow(arrivals, 1_000),
    };
  } finally {
    await Promise.all(apps.map((a) => a.kill('SIGKILL')));
    await Promise.all([w.im.stop(), w.slack.stop()]);
  }
}

/** SIGKILL of the replica working on a 2,000-conversation run, a third of the way in; default takeover time. */
async function killScenario(redisUrl: string) {
  const w: World = {
    im: new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY }),
    slack: new SlackStandIn({ botToken: BOT_TOKEN }),
  };
  await Promise.all([w.im.start(), w.slack.start()]);
  const env = { TIM_MAX_RPS: String(MAX_RPS), REDIS_URL: redisUrl, MARKREAD_REDIS_PREFIX: 'bench-kill' };
  const apps = await Promise.all([startReplica('k0', w.im, w.slack, env), startReplica('k1', w.im, w.slack, env)]);
  try {
    await runAll(w, apps[0] as Replica, 'kill');
    await w.slack.until(() => marksOf(w, 'kill').length >= PER_RUN / 3, 30_000);
    const healths = await Promise.all(apps.map((a) => a.health()));
    const victim = apps[healths.findIndex((h) => (h.inFlight as number) > 0)] ?? (apps[0] as Replica);
    const atKill = marksOf(w, 'kill').length;
    const killed = performance.now();
    await victim.kill('SIGKILL');
    await w.slack.until(() => summarised(w, 'kill'), 120_000);
    const peers = new Set(marksOf(w, 'kill').map((x) => (x.body as { Peer_Account: string }).Peer_Account));
    return {
      'marks at the kill': atKill,
      'kill → summary (s)': Number(((performance.now() - killed) / 1000).toFixed(1)),
      'takeover time (s)': 10,
      'conversations marked': peers.size,
      'marks redone': marksOf(w, 'kill').length - PER_RUN,
    };
  } finally {
    await Promise.all(apps.map((a) => a.kill('SIGKILL')));
    await Promise.all([w.im.stop(), w.slack.stop()]);
  }
}

export async function benchReplicas(): Promise<void> {
  const redis = await startTestRedis();
  if (!redis) {
    console.log(
      '# replicas: skipped, no redis-server (apt-get install -y redis-server) and no MARKREAD_TEST_REDIS_URL',
    );
    return;
  }
  try {
    console.log(
      `# Replicas: --all over ${PER_RUN.toLocaleString('en-US')} conversations per run, TIM_MAX_RPS=${MAX_RPS}, real processes in HTTP mode`,
    );
    console.log(
      '# targets: with Redis, 0 arrivals over the ceiling in any sliding second and >= 90 % of TIM_MAX_RPS together',
    );
    const redisEnv = (prefix: string) => ({ REDIS_URL: redis.url, MARKREAD_REDIS_PREFIX: prefix });
    console.table([
      await scenario('one replica, Redis', 1, redisEnv('bench-one')),
      await scenario('two replicas, Redis', 2, redisEnv('bench-two')),
      await scenario('two replicas, no Redis (baseline)', 2, {}),
    ]);
    console.log('# A replica SIGKILLed a third into a run; the other takes it over (MARKREAD_TAKEOVER_MS default)');
    console.table([await killScenario(redis.url)]);
  } finally {
    await redis.close();
  }
}
