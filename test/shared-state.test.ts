import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { SlidingWindowPacer } from '../src/im/pacer.js';
import type { SendBudget } from '../src/im/send-budget.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import type { SlackRequestContext } from '../src/slack/context.js';
import { MemoryReplayGuard, type ReplayGuard } from '../src/slack/replay-guard.js';
import { MemoryRunStore, type RunStore } from '../src/slack/runs.js';
import { RedisWorkJournal } from '../src/state/redis-journal.js';
import { RedisLink } from '../src/state/redis-link.js';
import { RedisReplayGuard } from '../src/state/redis-replay-guard.js';
import { RedisRunStore } from '../src/state/redis-run-store.js';
import { RedisSendBudget } from '../src/state/redis-send-budget.js';
import { type JobLease, LetGo, MemoryWorkJournal, type WorkJournal } from '../src/work/journal.js';
import { LogCapture, maxInSlidingWindow as mostInWindow } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';

const ctx: SlackRequestContext = {
  requester: 'U0ONCALL',
  teamId: 'T1',
  channelId: 'C1',
  responseUrl: 'https://hooks.slack.com/x',
  via: 'command',
};

/** Two handles on one kind of state: for Redis, two replicas (two connections); in memory, one process. */
interface Impl {
  name: string;
  runs(): [RunStore, RunStore];
  replay(): [ReplayGuard, ReplayGuard];
  budget(key: string, max: number, windowMs: number): [SendBudget, SendBudget];
  journal(options?: { staleAfterMs: number }): WorkJournal;
  shared: boolean;
}

const redis = await startTestRedis();
const links: RedisLink[] = [];
const logs = new LogCapture();
const logger = createLogger({ level: 'debug', redactor: new Redactor(), destination: logs });

function link(): RedisLink {
  const config = loadRedisConfig({ REDIS_URL: redis?.url }, 1400000001);
  if (!config) throw new Error('no config');
  const l = new RedisLink({ ...config, prefix: `test-${randomUUID().slice(0, 8)}:` }, logger);
  links.push(l);
  return l;
}

/** Two links on one prefix: two replicas of one deployment. */
function twoLinks(): [RedisLink, RedisLink] {
  const a = link();
  const b = new RedisLink(a.config, logger);
  links.push(b);
  return [a, b];
}

const memory: Impl = {
  name: 'in memory',
  shared: false,
  runs: () => {
    const s = new MemoryRunStore();
    return [s, s];
  },
  replay: () => {
    const g = new MemoryReplayGuard();
    return [g, g];
  },
  budget: (_key, max, windowMs) => {
    const p = new SlidingWindowPacer({ maxPerWindow: max, windowMs, marginMs: 20 });
    return [p, p];
  },
  journal: () => new MemoryWorkJournal(),
};

const onRedis: Impl = {
  name: 'on Redis',
  shared: true,
  runs: () => {
    const [a, b] = twoLinks();
    return [new RedisRunStore(a), new RedisRunStore(b)];
  },
  replay: () => {
    const [a, b] = twoLinks();
    return [new RedisReplayGuard(a, logger), new RedisReplayGuard(b, logger)];
  },
  budget: (key, max, windowMs) => {
    const [a, b] = twoLinks();
    return [
      new RedisSendBudget(a, a.key(key), max, logger, { windowMs, marginMs: 20 }),
      new RedisSendBudget(b, b.key(key), max, logger, { windowMs, marginMs: 20 }),
    ];
  },
  journal: (options) => new RedisWorkJournal(link(), logger, { heartbeatMs: 100, scanMs: 100, ...options }),
};

after(async () => {
  await Promise.all(links.map((l) => l.close()));
  await redis?.close();
});

async function ready(...handles: unknown[]): Promise<void> {
  for (const l of links) await l.ready(3_000);
  void handles;
}

for (const impl of [memory, onRedis]) {
  const skip = impl === onRedis && !redis ? NO_REDIS : false;

  describe(`shared state ${impl.name}`, { skip }, () => {
    before(async () => {
      if (impl === onRedis) await ready();
    });

    it('starts a run exactly once however many presses race for it, from either handle', async () => {
      const [a, b] = impl.runs();
      await ready();
      const run = await a.create({ ctx, user: 'bob', readTime: undefined, total: 30, state: 'awaiting' });
      const presses = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).transition(run.id, 'awaiting', 'running', { by: ctx.requester }),
      );
      const results = await Promise.all(presses);
      assert.equal(results.filter((r) => r.ok).length, 1);
      for (const r of results.filter((r) => !r.ok)) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.reason, 'wrong-state');
      }
      assert.equal((await b.get(run.id))?.state, 'running');
      assert.deepEqual((await b.get(run.id))?.ctx, ctx, 'the whole record reads back on the other handle');
    });

    it('refuses another user, a wrong state and an unknown id, and says which', async () => {
      const [a, b] = impl.runs();
      await ready();
      const run = await a.create({ ctx, user: 'bob', peers: ['p1', 'p2'], readTime: 5, total: 2, state: 'running' });
      const other = await b.transition(run.id, 'running', 'stopping', { by: 'U0SOMEONE' });
      assert.equal(other.ok ? 'ok' : other.reason, 'not-requester');
      const wrong = await b.transition(run.id, 'awaiting', 'cancelled');
      assert.equal(wrong.ok ? 'ok' : wrong.reason, 'wrong-state');
      const missing = await b.transition(randomUUID(), 'running', 'stopping');
      assert.equal(missing.ok ? 'ok' : missing.reason, 'missing');
      const stop = await b.transition(run.id, ['running', 'stopping'], 'stopping', { stopReason: 'stopped by x' });
      assert.ok(stop.ok);
      const back = await a.get(run.id);
      assert.equal(back?.stopReason, 'stopped by x');
      assert.deepEqual(back?.peers, ['p1', 'p2']);
      assert.equal(back?.readTime, 5);
    });

    it('puts back a run it lost, and leaves one it has alone', async () => {
      const [a, b] = impl.runs();
      await ready();
      const run = await a.create({ ctx, user: 'bob', readTime: undefined, total: 3, state: 'running' });
      await b.restore({ ...run, state: 'awaiting' });
      assert.equal((await a.get(run.id))?.state, 'running', 'restore never overwrites');
      const lost = { ...run, id: randomUUID() };
      await b.restore(lost);
      assert.equal((await a.get(lost.id))?.state, 'running');
    });

    it('lets exactly one of two handles act on the same signed request', async () => {
      const [a, b] = impl.replay();
      await ready();
      const key = `v0=${randomUUID()}`;
      const seen = await Promise.all([a.firstSeen(key, 60_000), b.firstSeen(key, 60_000), a.firstSeen(key, 60_000)]);
      assert.equal(seen.filter(Boolean).length, 1);
    });

    it('keeps both handles of one budget under its ceiling in every sliding window, evenly spaced', async () => {
      const max = 20;
      const windowMs = 200;
      const [a, b] = impl.budget(`budget:${randomUUID()}`, max, windowMs);
      await ready();
      const granted: number[] = [];
      const take = async (budget: SendBudget) => {
        const slot = await budget.acquire();
        granted.push(performance.now());
        slot.sent();
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: 100 }, (_, i) => take(i % 2 ? a : b)));
      const elapsed = performance.now() - started;
      const most = mostInWindow(granted, windowMs);
      assert.ok(most <= max, `${most} in one ${windowMs} ms window; at most ${max} allowed`);
      // 100 at 20 per 220 ms (the 20 ms margin absorbs timer lateness on a loaded machine) is about a second; not much faster (a burst) and not much slower (wasted budget).
      assert.ok(elapsed > 900 && elapsed < 1_800, `took ${elapsed.toFixed(0)} ms`);
      a.close();
      b.close();
    });

    it('slows every handle of the budget down when one is told it is too fast', async () => {
      const [a, b] = impl.budget(`budget:${randomUUID()}`, 40, 200);
      await ready();
      await (await b.acquire()).sent();
      a.slowDown();
      await new Promise((r) => setTimeout(r, 20));
      await b.acquire();
      assert.equal(b.currentLimit, 20);
      a.close();
      b.close();
    });

    it('refuses a slot further away than the caller can wait, without taking it', { skip: !impl.shared }, async () => {
      const [a] = impl.budget(`budget:${randomUUID()}`, 5, 1_000);
      await ready();
      for (let i = 0; i < 5; i++) await a.acquire();
      await assert.rejects(a.acquire(undefined, 100), /gave up waiting/);
      a.close();
    });

    it('hands a recorded job to a worker with its checkpoint, and forgets it when done', async () => {
      const journal = impl.journal();
      await ready();
      const leases: JobLease[] = [];
      await journal.start(async (lease) => {
        leases.push(lease);
        await lease.checkpoint({ position: 7 });
        await lease.done();
      });
      await journal.record({ id: 'job-1', payload: { kind: 'single', n: 1 } });
      await until(() => leases.length === 1);
      assert.deepEqual(leases[0]?.job, { id: 'job-1', payload: { kind: 'single', n: 1 } });
      assert.equal(leases[0]?.deliveries, 1);
      await journal.stop();
    });
  });
}

describe('the work journal on Redis, across replicas', { skip: redis ? false : NO_REDIS }, () => {
  it('gives a dead replica’s job, with its checkpoint, to a live one; a live replica keeps its own', async () => {
    const [la, lb] = twoLinks();
    await ready();
    const a = new RedisWorkJournal(la, logger, { heartbeatMs: 100, scanMs: 100, staleAfterMs: 600 });
    const b = new RedisWorkJournal(lb, logger, { heartbeatMs: 100, scanMs: 100, staleAfterMs: 600 });
    const onA: JobLease[] = [];
    const onB: JobLease[] = [];
    let release: () => void = () => {};
    const heldByA = new Promise<void>((r) => {
      release = r;
    });
    await a.start(async (lease) => {
      onA.push(lease);
      await lease.checkpoint({ position: 40 });
      await heldByA;
    });
    await a.record({ id: 'bulk-1', payload: { kind: 'bulk' } });
    await until(() => onA.length === 1);
    await b.start(async (lease) => {
      onB.push(lease);
      await lease.done();
    });
    // A renews its lease: B must not take the job while A lives, well past the takeover time.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(onB.length, 0, 'a live replica keeps its work');
    // A "dies": it stops renewing (its timers stop) but never lets go.
    await a.stop({ handOff: false });
    await until(() => onB.length === 1, 5_000);
    assert.equal(onB[0]?.job.id, 'bulk-1');
    assert.deepEqual(onB[0]?.saved, { position: 40 });
    assert.equal(onB[0]?.deliveries, 2);
    release();
    await b.stop();
  });

  it('tells a replica that stalled past the takeover that the job is no longer its own, and ignores its done()', async () => {
    const [la, lb] = twoLinks();
    await ready();
    // A renews rarely (a stalled replica); B takes over anything idle for 300 ms.
    const a = new RedisWorkJournal(la, logger, { heartbeatMs: 1_500, scanMs: 60_000, staleAfterMs: 60_000 });
    const b = new RedisWorkJournal(lb, logger, { heartbeatMs: 100, scanMs: 100, staleAfterMs: 300 });
    let reason: unknown;
    await a.start(async (lease) => {
      await new Promise((r) => lease.signal.addEventListener('abort', r, { once: true }));
      reason = lease.signal.reason;
      await lease.done(); // finishing late must not acknowledge the job under its new owner
    });
    await a.record({ id: 'stalled-1', payload: {} });
    const onB: JobLease[] = [];
    let finish: () => void = () => {};
    const holding = new Promise<void>((r) => {
      finish = r;
    });
    await b.start(async (lease) => {
      onB.push(lease);
      await holding;
      await lease.done();
    });
    await until(() => onB.length === 1, 3_000);
    await until(() => reason !== undefined, 3_000);
    assert.ok(reason instanceof LetGo && reason.why === 'taken');
    const raw = new Redis(redis?.url as string);
    try {
      const pending = (await raw.xpending(la.key('work'), 'workers')) as [number, ...unknown[]];
      assert.equal(pending[0], 1, "still pending, under B: A's late done() did nothing");
      finish();
      // B's done() acknowledges it: wait for that rather than for a fixed time.
      let left = 1;
      for (let i = 0; i < 60 && left > 0; i++) {
        left = ((await raw.xpending(la.key('work'), 'workers')) as [number])[0];
        if (left > 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(left, 0);
    } finally {
      raw.disconnect();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('hands work over at once on a graceful stop, and tells the old owner to let go', async () => {
    const [la, lb] = twoLinks();
    await ready();
    const a = new RedisWorkJournal(la, logger, { heartbeatMs: 100, scanMs: 100, staleAfterMs: 60_000 });
    const b = new RedisWorkJournal(lb, logger, { heartbeatMs: 100, scanMs: 100, staleAfterMs: 60_000 });
    let reason: unknown;
    await a.start(async (lease) => {
      await new Promise((r) => lease.signal.addEventListener('abort', r, { once: true }));
      reason = lease.signal.reason;
      await lease.release();
    });
    await a.record({ id: 'bulk-2', payload: {} });
    await new Promise((r) => setTimeout(r, 200));
    const onB: JobLease[] = [];
    await b.start(async (lease) => {
      onB.push(lease);
      await lease.done();
    });
    const started = performance.now();
    await a.stop({ handOff: true });
    await until(() => onB.length === 1, 3_000);
    assert.ok(reason instanceof LetGo && reason.why === 'handoff');
    assert.ok(performance.now() - started < 1_000, 'not after the 60 s takeover time');
    await b.stop();
  });

  it('keeps nothing of a finished job, and expires what it keeps', async () => {
    const l = link();
    await ready();
    const journal = new RedisWorkJournal(l, logger);
    await journal.start(async (lease) => {
      await lease.checkpoint({ x: 1 });
      await lease.done();
    });
    await journal.record({ id: 'job-x', payload: {} });
    await new Promise((r) => setTimeout(r, 300));
    await journal.stop();
    const raw = new Redis(redis?.url as string);
    try {
      assert.equal(await raw.xlen(l.key('work')), 0);
      assert.equal(await raw.exists(l.key('job:job-x')), 0);
      const store = new RedisRunStore(l);
      const run = await store.create({ ctx, user: 'bob', readTime: undefined, total: 1, state: 'awaiting' });
      const ttl = await raw.pttl(l.key(`run:${run.id}`));
      assert.ok(ttl > 0 && ttl <= 15 * 60_000, `an unconfirmed run expires (${ttl} ms)`);
    } finally {
      raw.disconnect();
    }
  });
});

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
