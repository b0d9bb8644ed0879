import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadRedisConfig, type RedisConfig } from '../src/config/redis-config.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { RedisAuditHistory } from '../src/stores/redis/audit-history.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { runCli } from './support/cli-run.js';
import { freePort } from './support/free-port.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';

const redis = await startTestRedis();

describe('the CLI with REDIS_URL', { skip: redis ? false : NO_REDIS }, () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  let env: Record<string, string>;
  before(async () => {
    env = { ...imEnv(await im.start()), TIM_MAX_RPS: '60', REDIS_URL: redis?.url ?? '', MARKREAD_REDIS_PREFIX: 'cli' };
  });
  after(async () => {
    await im.stop();
    await redis?.close();
  });

  it('shares one send budget between two CLI runs at once', async () => {
    const peers = (p: string) => Array.from({ length: 120 }, (_, i) => `${p}${i}`);
    const [one, two] = await Promise.all([
      runCli(['ann', ...peers('a'), '--yes', '--json'], env),
      runCli(['ben', ...peers('b'), '--yes', '--json'], env),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const lines = [one, two].flatMap((run) => jsonLines(run.stdout)).filter((line) => 'status' in line);
    assert.equal(lines.length, 240);
    assert.deepEqual(
      lines.filter((line) => line.status !== 'ok' || line.ErrorCode !== 0),
      [],
      'every mark accepted: none refused, none with a frequency-limit code',
    );
    assert.equal(im.arrivals.filter((a) => a.rejected).length, 0);
    const marks = im
      .accepted()
      .filter((a) => ['ann', 'ben'].includes((a.body as { Report_Account: string }).Report_Account))
      .map((a) => a.at);
    assert.equal(marks.length, 240, 'one call a pair: none retried');
    // Each run keeping TIM_MAX_RPS on its own would reach 120/s together.
    assertMeanRateUnder(marks, 60, 'marks from two CLI runs at once with TIM_MAX_RPS=60');
  });

  it("puts the CLI's actions in the App Home history the replicas share, with the OS user as actor", async () => {
    const { code, stderr } = await runCli(['dora', 'p1', '--reason', 'INC-7 badge stuck'], env);
    assert.equal(code, 0, stderr);
    const config = loadRedisConfig(env, SDK_APP_ID) as RedisConfig;
    const link = new RedisLink(config, createLogger({ level: 'silent', redactor: new Redactor() }));
    try {
      assert.ok(await link.ready(5_000), 'the test reaches its Redis');
      const history = new RedisAuditHistory(link, createLogger({ level: 'silent', redactor: new Redactor() }), {
        days: 30,
      });
      const [latest] = await history.recent(5);
      assert.equal(latest?.kind, 'mark');
      assert.deepEqual(latest?.target, { user: 'dora', peers: ['p1'] });
      assert.equal(latest?.actor.kind, 'cli');
      assert.deepEqual([latest?.via, latest?.reason, latest?.outcome?.status], ['cli', 'INC-7 badge stuck', 'ok']);
    } finally {
      await link.close();
    }
  });

  it('goes on alone, at a quarter of the budget, when Redis cannot be reached, and says so', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runCli(['cid', 'p1'], {
      ...env,
      REDIS_URL: `redis://:s3cretpass@127.0.0.1:${port}`,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^OK {2}cid ↔ p1/);
    assert.match(stderr, /Redis \(redis:\/\/127\.0\.0\.1:\d+\) is unreachable/);
    assert.doesNotMatch(stdout + stderr, /s3cretpass/);
  });
});

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
