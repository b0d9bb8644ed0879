import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { TwoReplicas } from './support/replica-world.js';
import { waitFor } from './support/wait-for.js';

const redis = await startTestRedis();
after(() => redis?.close());

const PROD = { sdkAppId: 1400000101, secretKey: 'prod-key-5f0c2a9e7d1b4c83aa' };

describe('several IM apps on two replicas: a run taken over keeps its app', { skip: redis ? false : NO_REDIS }, () => {
  // Production is a stand-in of its own, the default app; the world's stand-in is staging.
  const prod = new ImStandIn({ sdkAppId: PROD.sdkAppId, identifier: ADMIN, secretKey: PROD.secretKey });
  const w = new TwoReplicas(
    { REDIS_URL: redis?.url ?? '', MARKREAD_REDIS_PREFIX: 'apps-takeover-test', MARKREAD_TAKEOVER_MS: '2000' },
    (stagingUrl) => ({
      TIM_APPS: 'prod,staging',
      TIM_PROD_SDKAPPID: String(PROD.sdkAppId),
      TIM_PROD_SECRET_KEY: PROD.secretKey,
      TIM_PROD_BASE_URL: prod.url,
      TIM_STAGING_SDKAPPID: String(SDK_APP_ID),
      TIM_STAGING_SECRET_KEY: SECRET_KEY,
      TIM_STAGING_BASE_URL: stagingUrl,
      TIM_STAGING_MAX_RPS: '190',
    }),
  );
  before(async () => {
    await prod.start();
    await w.start();
  });
  beforeEach(() => w.keepTwo());
  after(async () => {
    await w.close();
    await prod.stop();
  });

  it('an --all on staging, its replica SIGKILLed mid-run, is finished by the other on staging only', async () => {
    w.im.seed('sam', Object.fromEntries(Array.from({ length: 1_200 }, (_, i) => [`sam-${i}`, 1])));
    await w.a.command('--app staging sam --all', 'sam-all');
    const prompt = await waitFor(() => w.slack.responses.find((r) => r.id === 'sam-all'), {
      what: 'the --all prompt',
      timeoutMs: 60_000,
    });
    const blocks = (prompt.body as { blocks?: { elements?: { value?: string }[] }[] }).blocks ?? [];
    const runId = blocks.flatMap((b) => b.elements ?? []).find((e) => e.value)?.value;
    assert.ok(runId, 'a Confirm button');
    await w.b.press('markread_all_confirm', runId, 'sam-go');
    await w.marked('sam', 300);
    const victim = await w.worker();
    assert.ok(victim, 'one replica is working on the run');
    await victim.kill('SIGKILL');
    await waitFor(() => new Set(w.marksOf('sam').map((m) => JSON.stringify(m.body))).size === 1_200, {
      what: 'every conversation of sam marked on staging',
      timeoutMs: 60_000,
    });
    assert.equal(
      prod.arrivals.filter((a) => JSON.stringify(a.body ?? '').includes('sam')).length,
      0,
      'production was never called for it',
    );
  });
});
