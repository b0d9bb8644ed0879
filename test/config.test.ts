import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError } from '../src/config/config-error.js';
import { loadImConfig } from '../src/config/im-config.js';
import { retiredSettingsWarning } from '../src/config/retired.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { REGION_HOSTS } from '../src/im/regions.js';

const base = { TIM_SDKAPPID: '1400000001', TIM_SECRET_KEY: 'supersecretkey123' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadImConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
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
    const byVar = Object.fromEntries(problems.map((p) => [p.slice(0, p.indexOf(':')), p]));
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
