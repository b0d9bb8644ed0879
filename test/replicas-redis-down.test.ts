import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { twoReplicas } from './support/replica-world.js';
import { waitFor } from './support/wait-for.js';

const redis = await startTestRedis();
after(() => redis?.close());

describe('two replicas when Redis goes away', { skip: !redis?.stop ? NO_REDIS : false }, () => {
  const w = twoReplicas(redis?.url ?? '', 'redis-down-test');

  it('survives Redis going away mid-run: says so, serves single marks, refuses bulk, and recovers', async () => {
    const redisIs = (state: string) => async () => (await w.a.health()).redis === state;
    w.im.seed('ray', Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`r${i}`, 1])));
    const runId = await w.askAll(w.a, 'ray', 'ray-all');
    await w.a.press('markread_all_confirm', runId, 'ray-go');
    await w.marked('ray', 300);
    await redis?.stop?.();
    await waitFor(redisIs('down'), { what: '/healthz to say redis is down' });
    assert.equal((await w.a.health()).ok, true, 'still serving');
    await w.b.command('sol p1', 'sol');
    await w.outcome('sol', 'p1');
    const refused = JSON.parse((await w.b.command('sol p1 p2', 'sol-many')).body) as { text: string };
    assert.match(refused.text, /cannot reach its shared state \(Redis\)/);
    // The run goes on without Redis before it comes back.
    await w.marked('ray', w.marksOf('ray').length + 50);
    await redis?.restart?.();
    assert.match(await w.summary('ray'), /Finished\*: 2000 of 2000 OK/);
    await waitFor(redisIs('up'), { what: '/healthz to say redis is up again' });
    assert.equal(w.a.alive(), true);
    assert.equal(w.b.alive(), true);
    assert.equal((w.a.output().match(/redis is unreachable/g) ?? []).length, 1, 'said once');
  });
});
