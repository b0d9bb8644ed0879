import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadImApps } from '../src/config/im-apps.js';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { adminSetMsgRead } from '../src/im/apis/admin-set-msg-read.js';
import type { ImApp } from '../src/im/app.js';
import { createImRuntime, type ImRuntime } from '../src/im-runtime.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { redisBudgets } from '../src/stores/redis/send-budget.js';
import type { SendBudgetFactory } from '../src/stores/send-budget.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { runCli } from './support/cli-run.js';
import { ADMIN, LogCapture } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';

const PROD = { sdkAppId: 1400000101, secretKey: 'prod-key-5f0c2a9e7d1b4c83aa' };
const STAGING = { sdkAppId: 1400000202, secretKey: 'staging-key-9e8d7c6b5a4f3e21' };

/** Two IM stand-ins, as two IM apps with their own SDKAppIDs, keys and hosts. */
const prodIm = new ImStandIn({ sdkAppId: PROD.sdkAppId, identifier: ADMIN, secretKey: PROD.secretKey });
const stagingIm = new ImStandIn({ sdkAppId: STAGING.sdkAppId, identifier: ADMIN, secretKey: STAGING.secretKey });
const runtimes: ImRuntime[] = [];

before(() => Promise.all([prodIm.start(), stagingIm.start()]));
after(async () => {
  await Promise.all(runtimes.map((r) => r.apps.close()));
  await Promise.all([prodIm.stop(), stagingIm.stop()]);
});

function twoAppsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TIM_APPS: 'prod,staging',
    TIM_PROD_SDKAPPID: String(PROD.sdkAppId),
    TIM_PROD_SECRET_KEY: PROD.secretKey,
    TIM_PROD_BASE_URL: prodIm.url,
    TIM_STAGING_SDKAPPID: String(STAGING.sdkAppId),
    TIM_STAGING_SECRET_KEY: STAGING.secretKey,
    TIM_STAGING_BASE_URL: stagingIm.url,
    TIM_TIMEOUT_MS: '4000',
    TIM_DEADLINE_MS: '10000',
    ...extra,
  };
}

function runtimeOf(env: Record<string, string>, budget?: SendBudgetFactory): { runtime: ImRuntime; logs: LogCapture } {
  const logs = new LogCapture();
  const runtime = createImRuntime(loadImApps(env), { destination: logs, logLevel: 'debug', client: { budget } });
  runtimes.push(runtime);
  return { runtime, logs };
}

const appOf = (runtime: ImRuntime, name: string): ImApp => {
  const app = runtime.apps.get(name);
  assert.ok(app, `app ${name}`);
  return app;
};

const mark = (app: ImApp, user: string) => adminSetMsgRead(app.client, { reportAccount: user, peerAccount: 'p' });

const arrivalsFor = (im: ImStandIn, prefix: string) =>
  im.accepted().filter((a) => (a.body as { Report_Account: string }).Report_Account.startsWith(prefix));

describe('several IM apps in one markread', () => {
  it('builds every app of TIM_APPS, the first as runtime.app, each protected or not as configured', () => {
    const { runtime } = runtimeOf(twoAppsEnv({ TIM_STAGING_PROTECTED: 'true' }));
    assert.deepEqual(runtime.apps.names, ['prod', 'staging']);
    assert.equal(runtime.app, runtime.apps.default);
    assert.equal(runtime.app.name, 'prod');
    assert.equal(appOf(runtime, 'prod').protected, false);
    assert.equal(appOf(runtime, 'staging').protected, true);
    assert.equal(appOf(runtime, 'staging').sdkAppId, STAGING.sdkAppId);
    const picked = runtimeOf(twoAppsEnv({ TIM_DEFAULT_APP: 'staging' })).runtime;
    assert.equal(picked.app.name, 'staging');
  });

  it('finds an app by name, or says which apps there are and the nearest', () => {
    const { runtime } = runtimeOf(twoAppsEnv());
    const found = runtime.apps.appNamed('staging');
    assert.ok(found.ok);
    assert.equal(found.app.sdkAppId, STAGING.sdkAppId);
    assert.deepEqual(runtime.apps.appNamed('stagign'), {
      ok: false,
      problem: 'no IM app named "stagign" (the apps are prod, staging); did you mean staging?',
    });
    assert.deepEqual(runtime.apps.appNamed('qa'), {
      ok: false,
      problem: 'no IM app named "qa" (the apps are prod, staging)',
    });
  });

  it("signs a call through staging with staging's key and sends it to staging's host only", async () => {
    const { runtime } = runtimeOf(twoAppsEnv());
    const result = await mark(appOf(runtime, 'staging'), 'only-staging');
    assert.equal(result.status, 'ok');
    const atStaging = stagingIm.arrivals.filter(
      (a) => (a.body as { Report_Account?: string })?.Report_Account === 'only-staging',
    );
    assert.equal(atStaging.length, 1);
    assert.equal(atStaging[0]?.rejected, undefined, "staging's stand-in accepted the UserSig: signed with its key");
    assert.equal(atStaging[0]?.query.sdkappid, String(STAGING.sdkAppId));
    assert.equal(
      prodIm.arrivals.filter((a) => (a.body as { Report_Account?: string })?.Report_Account === 'only-staging').length,
      0,
      'nothing reached prod',
    );
    const back = await mark(appOf(runtime, 'prod'), 'only-prod');
    assert.equal(back.status, 'ok');
    assert.equal(arrivalsFor(prodIm, 'only-prod')[0]?.query.sdkappid, String(PROD.sdkAppId));
    assert.equal(arrivalsFor(stagingIm, 'only-prod').length, 0);
  });

  it('redacts every app’s secret key, and names the app in its client’s log lines', async () => {
    const redactor = new Redactor();
    const logs = new LogCapture();
    const runtime = createImRuntime(
      loadImApps(twoAppsEnv({ TIM_STAGING_BASE_URL: 'http://127.0.0.1:9/', TIM_DEADLINE_MS: '1500' })),
      {
        redactor,
        destination: logs,
        logLevel: 'debug',
      },
    );
    runtimes.push(runtime);
    assert.equal(redactor.scrub(`${PROD.secretKey}|${STAGING.secretKey}`), '[redacted]|[redacted]');
    const result = await adminSetMsgRead(
      appOf(runtime, 'staging').client,
      { reportAccount: 'a', peerAccount: 'b' },
      undefined,
    );
    assert.notEqual(result.status, 'ok');
    assert.ok(
      logs.records.some((r) => r.imApp === 'staging'),
      `a line of the unreachable app names it: ${logs.text.slice(0, 500)}`,
    );
  });

  it('runs two apps at their own ceilings at once: each under its own, neither waiting for the other', async () => {
    const { runtime } = runtimeOf(twoAppsEnv({ TIM_PROD_MAX_RPS: '40', TIM_STAGING_MAX_RPS: '20' }));
    const results = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => mark(appOf(runtime, 'prod'), `ceil-p${i}`)),
      ...Array.from({ length: 30 }, (_, i) => mark(appOf(runtime, 'staging'), `ceil-s${i}`)),
    ]);
    assert.deepEqual(
      results.filter((r) => r.status !== 'ok'),
      [],
    );
    const prodTimes = arrivalsFor(prodIm, 'ceil-p').map((a) => a.at);
    const stagingTimes = arrivalsFor(stagingIm, 'ceil-s').map((a) => a.at);
    assert.equal(prodTimes.length, 60);
    assert.equal(stagingTimes.length, 30);
    assertMeanRateUnder(prodTimes, 40, 'prod at TIM_PROD_MAX_RPS=40');
    assertMeanRateUnder(stagingTimes, 20, 'staging at TIM_STAGING_MAX_RPS=20');
    // One shared budget would send one app's calls after (or between) the other's; separate ones interleave them.
    assert.ok(Math.min(...stagingTimes) < Math.max(...prodTimes), 'staging began before prod had finished');
    assert.ok(Math.min(...prodTimes) < Math.max(...stagingTimes), 'prod began before staging had finished');
  });
});

describe('several IM apps in the CLI', () => {
  it('markread --app staging acts on staging only, and says so before anything else', async () => {
    const { code, stderr } = await runCli(['--app', 'staging', 'cli-stg', 'bob'], twoAppsEnv());
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^markread: IM app staging \(SDKAppID 1400000202\)$/m);
    assert.equal(arrivalsFor(stagingIm, 'cli-stg').length, 1);
    assert.equal(arrivalsFor(stagingIm, 'cli-stg')[0]?.rejected, undefined);
    assert.equal(
      prodIm.arrivals.filter((a) => JSON.stringify(a.body).includes('cli-stg')).length,
      0,
      'nothing reached prod',
    );
  });

  it('an unknown --app is a usage error (exit 2) with the app names and a guess, and calls nothing', async () => {
    const before = prodIm.arrivals.length + stagingIm.arrivals.length;
    const { code, stderr } = await runCli(['--app', 'stagin', 'cli-unknown', 'bob'], twoAppsEnv());
    assert.equal(code, 2);
    assert.match(stderr, /no IM app named "stagin" \(the apps are prod, staging\); did you mean staging\?/);
    assert.equal(prodIm.arrivals.length + stagingIm.arrivals.length, before);
  });
});

const redis = await startTestRedis();

describe('several IM apps on Redis', { skip: redis ? false : NO_REDIS }, () => {
  const links: RedisLink[] = [];
  const logger = createLogger({ level: 'silent', redactor: new Redactor(), destination: new LogCapture() });
  const namespace = `apps-${randomUUID().slice(0, 8)}`;
  after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await redis?.close();
  });

  /** One deployment: its link keyed under its default app's SDKAppID, its apps' budgets under their own. */
  async function deployment(defaultApp: string) {
    const env = twoAppsEnv({
      TIM_DEFAULT_APP: defaultApp,
      REDIS_URL: redis?.url ?? '',
      MARKREAD_REDIS_PREFIX: namespace,
    });
    const loaded = loadImApps(env);
    const sdkAppId = loaded.apps.find((a) => a.name === defaultApp)?.config.sdkAppId ?? 0;
    const config = loadRedisConfig(env, sdkAppId);
    assert.ok(config);
    const link = new RedisLink(config, logger);
    links.push(link);
    assert.ok(await link.ready(5_000), 'Redis answers');
    return { link, runtime: runtimeOf(env, redisBudgets(link, logger)).runtime };
  }

  it("keys each app's send budget by its own SDKAppID, shared by every deployment serving it", async () => {
    const production = await deployment('prod');
    assert.equal(
      production.link.key('runs'),
      `${namespace}:${PROD.sdkAppId}:runs`,
      "runs stay under the default app's prefix",
    );
    const results = await Promise.all([
      mark(appOf(production.runtime, 'prod'), 'redis-p'),
      mark(appOf(production.runtime, 'staging'), 'redis-s'),
    ]);
    assert.ok(results.every((r) => r.status === 'ok'));
    const client = new Redis(redis?.url ?? '');
    try {
      const keys = (await client.keys(`${namespace}:*`)).sort();
      assert.deepEqual(keys, [
        `${namespace}:${PROD.sdkAppId}:budget:v4/openim/admin_set_msg_read`,
        `${namespace}:${STAGING.sdkAppId}:budget:v4/openim/admin_set_msg_read`,
      ]);
      // A second deployment whose default app is staging spends staging's one budget, not a budget of its own.
      const other = await deployment('staging');
      assert.equal(other.link.key('runs'), `${namespace}:${STAGING.sdkAppId}:runs`);
      assert.equal((await mark(appOf(other.runtime, 'staging'), 'redis-s2')).status, 'ok');
      assert.deepEqual((await client.keys(`${namespace}:*`)).sort(), keys);
    } finally {
      client.disconnect();
    }
  });
});
