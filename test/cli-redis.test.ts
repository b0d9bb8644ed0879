import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
