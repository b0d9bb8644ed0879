import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../src/config/config-error.js';
import { loadRedisConfig, redisUrlSecrets } from '../src/config/redis-config.js';
import { addEnvSecrets, Redactor } from '../src/log/redactor.js';

const problems = (env: Record<string, string>) => {
  try {
    loadRedisConfig(env, 1400000001);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('REDIS_URL and friends', () => {
  it('is optional: without it there is no shared state, and everything stays in the process', () => {
    assert.equal(loadRedisConfig({}, 1400000001), undefined);
  });

  it('prefixes every key with the deployment and the SDKAppID, and shows where without the password', () => {
    const config = loadRedisConfig({ REDIS_URL: 'rediss://:p%40ss-word-1@redis.example.com:6380' }, 1400000001);
    assert.equal(config?.prefix, 'markread:1400000001:');
    assert.equal(config?.where, 'rediss://redis.example.com:6380');
    assert.equal(config?.role, 'all');
    assert.equal(config?.takeoverMs, 10_000);
    assert.ok(!JSON.stringify(config).includes('p%40ss'), 'the URL is a Secret');
  });

  it('refuses a URL that is not redis:// or rediss://, without quoting it', () => {
    const [problem] = problems({ REDIS_URL: 'http://user:hunter22@cache:6379' });
    assert.match(problem ?? '', /^REDIS_URL: expected redis:\/\/ or rediss:\/\/, got http:\/\//);
    assert.ok(!(problem ?? '').includes('hunter22'));
  });

  it('refuses a web or worker role without Redis, which alone carries the work between them', () => {
    assert.match(problems({ MARKREAD_ROLE: 'web' })[0] ?? '', /MARKREAD_ROLE: web needs REDIS_URL/);
    assert.match(
      problems({ MARKREAD_ROLE: 'boss', REDIS_URL: 'redis://x' })[0] ?? '',
      /expected one of all, web, worker/,
    );
    assert.match(problems({ MARKREAD_REDIS_PREFIX: 'a b' })[0] ?? '', /MARKREAD_REDIS_PREFIX/);
  });

  it('teaches the redactor the password, raw and decoded', () => {
    assert.deepEqual(redisUrlSecrets('redis://:p%40ss-word-1@h:1'), [
      'redis://:p%40ss-word-1@h:1',
      'p%40ss-word-1',
      'p@ss-word-1',
    ]);
    const redactor = addEnvSecrets(new Redactor(), { REDIS_URL: 'redis://:p%40ss-word-1@h:1' });
    assert.doesNotMatch(redactor.scrub('auth p@ss-word-1 failed'), /p@ss-word-1/);
  });
});
