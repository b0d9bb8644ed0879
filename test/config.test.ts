import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { loadImApps } from '../src/config/im-apps.js';
import { loadImConfig } from '../src/config/im-config.js';
import { retiredSettingsWarning } from '../src/config/retired.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { REGION_HOSTS } from '../src/im/regions.js';
import { addEnvSecrets, Redactor } from '../src/log/redactor.js';
import { byVariable, configProblems } from './support/config-problems.js';

const base = { TIM_SDKAPPID: '1400000001', TIM_SECRET_KEY: 'supersecretkey123' };

function problemsOf(
  env: Record<string, string>,
  load: (env: Record<string, string>) => unknown = loadImConfig,
): string[] {
  return configProblems(() => load(env));
}

describe('IM configuration', () => {
  it('reports every missing required variable at once, by name', () => {
    const problems = problemsOf({});
    assert.equal(problems.length, 3);
    assert.match(problems[0] ?? '', /^TIM_SDKAPPID: is required/);
    assert.match(problems[1] ?? '', /^TIM_SECRET_KEY: is required/);
    assert.match(problems[2] ?? '', /^TIM_REGION: is required unless TIM_BASE_URL is set/);
  });

  it('treats empty values as unset', () => {
    const problems = problemsOf({ ...base, TIM_REGION: '  ' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['TIM_REGION'],
    );
  });

  it('names each bad value and what it expects', () => {
    const problems = problemsOf({
      TIM_SDKAPPID: '-4',
      TIM_SECRET_KEY: 'k',
      TIM_REGION: 'mars',
      TIM_MAX_RPS: '250',
      TIM_TIMEOUT_MS: 'soon',
      LOG_LEVEL: 'loud',
    });
    const byVar = byVariable(problems);
    assert.match(byVar.TIM_SDKAPPID ?? '', /positive whole number/);
    assert.match(byVar.TIM_REGION ?? '', /singapore/);
    assert.match(byVar.TIM_MAX_RPS ?? '', /at most 200/);
    assert.match(byVar.TIM_TIMEOUT_MS ?? '', /whole number/);
    assert.match(byVar.LOG_LEVEL ?? '', /info/);
    assert.equal(problems.length, 5);
  });

  it('never echoes the secret key', () => {
    const { config } = loadImConfig({ ...base, TIM_REGION: 'seoul' });
    assert.equal(config.secretKey.reveal(), 'supersecretkey123');
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 5 }), String(config.secretKey)]) {
      assert.ok(!shown.includes('supersecretkey123'), shown);
    }
  });

  it('applies defaults under the API ceiling and above the 3 s server timeout', () => {
    const { config, warnings } = loadImConfig({ ...base, TIM_REGION: 'china' });
    assert.equal(config.adminIdentifier, 'administrator');
    assert.ok(config.maxRps < 200 && config.maxRps >= 180);
    assert.ok(config.timeoutMs > 3000);
    assert.equal(config.userSigTtlSeconds, 86_400);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(warnings, []);
  });

  it('maps every region to its primary and backup host', () => {
    for (const [region, hosts] of Object.entries(REGION_HOSTS)) {
      const { config } = loadImConfig({ ...base, TIM_REGION: region });
      assert.equal(config.endpoint.primary.href, `https://${hosts.primary}/`);
      assert.equal(config.endpoint.backup?.href, `https://${hosts.backup}/`);
    }
  });

  it('accepts https and loopback http base URLs, and has no backup host for them', () => {
    for (const url of [
      'https://im-proxy.example.com',
      'http://127.0.0.1:9000/',
      'http://127.8.9.10/',
      'http://localhost:1234',
      'http://[::1]:8080/',
    ]) {
      const { config } = loadImConfig({ ...base, TIM_BASE_URL: url });
      assert.equal(config.endpoint.backup, undefined);
      assert.ok(config.endpoint.primary.pathname.endsWith('/'));
    }
  });

  it('keeps a proxy path prefix', () => {
    const { config } = loadImConfig({ ...base, TIM_BASE_URL: 'https://proxy.example.com/tencent-im' });
    assert.equal(
      new URL('v4/openim/admin_set_msg_read', config.endpoint.primary).pathname,
      '/tencent-im/v4/openim/admin_set_msg_read',
    );
  });

  it('refuses plain http to anything but loopback, and other schemes', () => {
    for (const url of [
      'http://10.0.0.5/',
      'http://example.com/',
      'http://128.0.0.1/',
      'http://localhost.example.com/',
    ]) {
      const problems = problemsOf({ ...base, TIM_BASE_URL: url });
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? '', /^TIM_BASE_URL: plain http:\/\/ is only allowed to a loopback address/);
    }
    assert.match(problemsOf({ ...base, TIM_BASE_URL: 'ftp://x.example/' })[0] ?? '', /https:\/\//);
    assert.match(problemsOf({ ...base, TIM_BASE_URL: 'not a url' })[0] ?? '', /expected a URL/);
  });

  it('warns about a timeout not above the server timeout', () => {
    const { warnings } = loadImConfig({ ...base, TIM_REGION: 'tokyo', TIM_TIMEOUT_MS: '2000' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /TIM_TIMEOUT_MS=2000/);
  });
});

describe('retired settings of the forked worker process', () => {
  const slackBase = {
    SLACK_BOT_TOKEN: 'xoxb-1234567890-test-bot-token',
    SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
    MARKREAD_ALLOWED_USERS: 'U0ONCALL',
  };

  it('are not a configuration error, whatever their value', () => {
    assert.doesNotThrow(() =>
      loadSlackConfig({ ...slackBase, MARKREAD_WORKER: 'thread', MARKREAD_WORKER_TIMEOUT_MS: '5' }),
    );
  });

  it('give one warning naming each one set and what replaced it', () => {
    const both = retiredSettingsWarning({
      ...slackBase,
      MARKREAD_WORKER: 'process',
      MARKREAD_WORKER_TIMEOUT_MS: '20000',
    });
    assert.match(both ?? '', /^MARKREAD_WORKER and MARKREAD_WORKER_TIMEOUT_MS are no longer used/);
    assert.match(both ?? '', /one process, its follow-up work behind a bounded queue/);
    assert.match(both ?? '', /replicas on Redis \(REDIS_URL, with MARKREAD_ROLE=web and MARKREAD_ROLE=worker\)/);
    assert.doesNotMatch(both ?? '', /\n/, 'one line');
    assert.match(retiredSettingsWarning({ MARKREAD_WORKER: 'inline' }) ?? '', /^MARKREAD_WORKER is no longer used/);
  });

  it('give no warning when unset or empty', () => {
    assert.equal(retiredSettingsWarning(slackBase), undefined);
    assert.equal(
      retiredSettingsWarning({ ...slackBase, MARKREAD_WORKER: ' ', MARKREAD_WORKER_TIMEOUT_MS: '' }),
      undefined,
    );
  });
});

const PROD_KEY = 'prod-secret-key-0a1b2c3d4e5f';
const STAGING_KEY = 'staging-secret-key-9f8e7d6c5b4a';
const twoApps = {
  TIM_APPS: 'prod,staging',
  TIM_PROD_SDKAPPID: '1400000001',
  TIM_PROD_SECRET_KEY: PROD_KEY,
  TIM_PROD_REGION: 'singapore',
  TIM_STAGING_SDKAPPID: '1400000002',
  TIM_STAGING_SECRET_KEY: STAGING_KEY,
  TIM_STAGING_BASE_URL: 'http://127.0.0.1:9000/im',
  TIM_STAGING_ADMIN_IDENTIFIER: 'stage-admin',
  TIM_STAGING_MAX_RPS: '50',
  TIM_TIMEOUT_MS: '4000',
};

const appProblemsOf = (env: Record<string, string>) => problemsOf(env, loadImApps);

describe('IM apps configuration (TIM_APPS)', () => {
  it('without TIM_APPS, loads the one app of the TIM_* variables exactly as before, named default', () => {
    const env = { ...base, TIM_REGION: 'tokyo', TIM_MAX_RPS: '120', TIM_BASE_URL: '' };
    const loaded = loadImApps(env);
    const before = loadImConfig(env);
    assert.equal(loaded.single, true);
    assert.equal(loaded.defaultApp, 'default');
    assert.deepEqual(
      loaded.apps.map((a) => a.name),
      ['default'],
    );
    const [app] = loaded.apps;
    assert.deepEqual(
      { ...app?.config, secretKey: app?.config.secretKey.reveal() },
      { ...before.config, secretKey: before.config.secretKey.reveal() },
    );
    assert.equal(app?.protected, false);
    assert.equal(app?.allowedUsers, undefined);
    assert.deepEqual(loaded.warnings, before.warnings);
  });

  it('loads two apps, each with its own settings and defaults, the shared settings for both, the first the default', () => {
    const loaded = loadImApps(twoApps);
    assert.equal(loaded.single, false);
    assert.equal(loaded.defaultApp, 'prod');
    const [prod, staging] = loaded.apps;
    assert.equal(prod?.name, 'prod');
    assert.equal(prod?.config.sdkAppId, 1400000001);
    assert.equal(prod?.config.secretKey.reveal(), PROD_KEY);
    assert.equal(prod?.config.endpoint.primary.host, REGION_HOSTS.singapore.primary);
    assert.equal(prod?.config.adminIdentifier, 'administrator', 'the default admin');
    assert.equal(prod?.config.maxRps, 190, 'the default ceiling');
    assert.equal(staging?.name, 'staging');
    assert.equal(staging?.config.sdkAppId, 1400000002);
    assert.equal(staging?.config.secretKey.reveal(), STAGING_KEY);
    assert.equal(staging?.config.endpoint.primary.href, 'http://127.0.0.1:9000/im/');
    assert.equal(staging?.config.adminIdentifier, 'stage-admin');
    assert.equal(staging?.config.maxRps, 50);
    assert.deepEqual(
      loaded.apps.map((a) => a.config.timeoutMs),
      [4000, 4000],
      'TIM_TIMEOUT_MS is shared',
    );
  });

  it('lets TIM_DEFAULT_APP pick the default, and refuses a name not in TIM_APPS with the nearest', () => {
    assert.equal(loadImApps({ ...twoApps, TIM_DEFAULT_APP: 'staging' }).defaultApp, 'staging');
    const problems = appProblemsOf({ ...twoApps, TIM_DEFAULT_APP: 'stagin' });
    assert.deepEqual(problems, [
      'TIM_DEFAULT_APP: no IM app named "stagin" (the apps are prod, staging); did you mean staging?',
    ]);
  });

  it('carries TIM_<NAME>_PROTECTED and MARKREAD_<NAME>_ALLOWED_USERS in the app they name', () => {
    const loaded = loadImApps({ ...twoApps, TIM_PROD_PROTECTED: 'TRUE', MARKREAD_PROD_ALLOWED_USERS: 'U0ONE, U0TWO' });
    const [prod, staging] = loaded.apps;
    assert.equal(prod?.protected, true);
    assert.deepEqual([...(prod?.allowedUsers ?? [])], ['U0ONE', 'U0TWO']);
    assert.equal(staging?.protected, false);
    assert.equal(staging?.allowedUsers, undefined, 'the global allowlist');
  });

  it('reports every problem of every app at once, naming TIM_<APP>_*, and never a key', () => {
    const problems = appProblemsOf({
      TIM_APPS: 'prod,Staging,prod,qa-eu',
      TIM_PROD_SDKAPPID: 'abc',
      TIM_PROD_SECRET_KEY: PROD_KEY,
      TIM_PROD_REGION: 'mars',
      TIM_PROD_PROTECTED: 'yes',
      TIM_QA_EU_SDKAPPID: '1400000003',
      TIM_QA_EU_BASE_URL: 'http://im.example.com/',
      MARKREAD_QA_EU_ALLOWED_USERS: 'bob',
      TIM_DEADLINE_MS: '5',
    });
    const variables = problems.map((p) => p.split(':')[0]);
    assert.deepEqual(variables, [
      'TIM_APPS',
      'TIM_APPS',
      'TIM_PROD_SDKAPPID',
      'TIM_PROD_REGION',
      'TIM_DEADLINE_MS',
      'TIM_PROD_PROTECTED',
      'TIM_QA_EU_SECRET_KEY',
      'TIM_QA_EU_BASE_URL',
      'MARKREAD_QA_EU_ALLOWED_USERS',
    ]);
    assert.match(problems[0] ?? '', /"Staging" is not an app name: use up to 32 lower-case letters, digits and -/);
    assert.match(problems[1] ?? '', /prod is named twice/);
    assert.match(problems[6] ?? '', /^TIM_QA_EU_SECRET_KEY: is required/);
    assert.equal(problems.filter((p) => p.startsWith('TIM_DEADLINE_MS')).length, 1, 'a shared problem said once');
    const text = problems.join('\n') + inspect(problems);
    assert.ok(!text.includes(PROD_KEY));
  });

  it('says which variable is missing for an app named but not configured', () => {
    const problems = appProblemsOf({ ...twoApps, TIM_APPS: 'prod,staging,qa' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['TIM_QA_SDKAPPID', 'TIM_QA_SECRET_KEY', 'TIM_QA_REGION'],
    );
    assert.match(problems[2] ?? '', /^TIM_QA_REGION: is required unless TIM_QA_BASE_URL is set/);
  });

  it('refuses TIM_APPS beside the single-app variables, saying which to keep', () => {
    const problems = appProblemsOf({ ...twoApps, TIM_SDKAPPID: '1400000009', TIM_SECRET_KEY: 'single-key-0123456789' });
    assert.deepEqual(problems, [
      'TIM_SDKAPPID: TIM_APPS is set, so the single-app TIM_SDKAPPID is not used: keep TIM_APPS and move it to TIM_PROD_SDKAPPID (or unset TIM_APPS to keep one app on the TIM_* variables)',
      'TIM_SECRET_KEY: TIM_APPS is set, so the single-app TIM_SECRET_KEY is not used: keep TIM_APPS and move it to TIM_PROD_SECRET_KEY (or unset TIM_APPS to keep one app on the TIM_* variables)',
    ]);
    assert.ok(!problems.join('').includes('single-key-0123456789'));
  });

  it('refuses two apps with one SDKAppID, and TIM_DEFAULT_APP without TIM_APPS', () => {
    assert.deepEqual(appProblemsOf({ ...twoApps, TIM_STAGING_SDKAPPID: '1400000001' }), [
      'TIM_STAGING_SDKAPPID: 1400000001 is also TIM_PROD_SDKAPPID: each app of TIM_APPS must be a different IM app',
    ]);
    assert.deepEqual(appProblemsOf({ ...base, TIM_REGION: 'tokyo', TIM_DEFAULT_APP: 'prod' }), [
      'TIM_DEFAULT_APP: picks one of the apps of TIM_APPS, which is not set: unset it, or set TIM_APPS',
    ]);
  });

  it('warns of per-app variables no app reads, naming the nearest app, and each app’s own region warning', () => {
    const { warnings } = loadImApps({ ...twoApps, TIM_STAGNG_MAX_RPS: '10', TIM_STAGING_REGION: 'tokyo' });
    assert.deepEqual(warnings, [
      'TIM_BASE_URL is set, so TIM_REGION=tokyo is not used to pick a host'.replace(/TIM_/g, 'TIM_STAGING_'),
      'TIM_STAGNG_MAX_RPS is not used: no IM app named "stagng" (the apps are prod, staging); did you mean staging?',
    ]);
    const single = loadImApps({ ...base, TIM_REGION: 'tokyo', TIM_PROD_SECRET_KEY: PROD_KEY });
    assert.deepEqual(single.warnings, [
      'TIM_PROD_SECRET_KEY is set but TIM_APPS is not, so it is not used: list the apps in TIM_APPS (e.g. TIM_APPS=prod)',
    ]);
  });

  it('lets the redactor know every app’s key before anything is parsed', () => {
    const redactor = addEnvSecrets(new Redactor(), twoApps);
    assert.equal(redactor.scrub(`${PROD_KEY} ${STAGING_KEY}`), '[redacted] [redacted]');
  });
});
