import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { SlidingWindowPacer } from '../src/im/pacer.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { RedisReplayGuard } from '../src/stores/redis/replay-guard.js';
import { RedisRunStore } from '../src/stores/redis/runs.js';
import { RedisSendBudget } from '../src/stores/redis/send-budget.js';
import { type RedisJournalOptions, RedisWorkJournal } from '../src/stores/redis/work-journal.js';
import { MemoryReplayGuard, type ReplayGuard } from '../src/stores/replay-guard.js';
import { MemoryRunStore, type RunOrigin, type RunStore } from '../src/stores/runs.js';
import type { SendBudget } from '../src/stores/send-budget.js';
import { type JobLease, LetGo, MemoryWorkJournal, type WorkJournal } from '../src/stores/work-journal.js';
import { LogCapture } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

const origin: RunOrigin = {
  requester: 'U0ONCALL',
  team: 'T1',
  channel: 'C1',
  replyUrl: 'https://hooks.slack.com/x',
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
  journal: (options) => journalOn(link(), { heartbeatMs: 100, scanMs: 100, ...options }),
};

/** Every Redis journal a test starts; stopped after the file even if a test failed half-way, so nothing hangs. */
const journals: RedisWorkJournal[] = [];
function journalOn(l: RedisLink, options?: RedisJournalOptions): RedisWorkJournal {
  const journal = new RedisWorkJournal(l, logger, options);
  journals.push(journal);
  return journal;
}

after(async () => {
  await Promise.all(journals.map((j) => j.stop()));
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
      const run = await a.create({ origin, user: 'bob', readTime: undefined, total: 30, state: 'awaiting' });
      const presses = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).transition(run.id, 'confirm', { by: origin.requester }),
      );
      const results = await Promise.all(presses);
      assert.equal(results.filter((r) => r.ok).length, 1);
      for (const r of results.filter((r) => !r.ok)) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.reason, 'wrong-state');
      }
      assert.equal((await b.get(run.id))?.state, 'running');
      assert.deepEqual((await b.get(run.id))?.origin, origin, 'the whole record reads back on the other handle');
    });

    it('refuses another user, a wrong state and an unknown id, and says which', async () => {
      const [a, b] = impl.runs();
      await ready();
      const run = await a.create({ origin, user: 'bob', peers: ['p1', 'p2'], readTime: 5, total: 2, state: 'running' });
      const other = await b.transition(run.id, 'stop', { by: 'U0SOMEONE' });
      assert.equal(other.ok ? 'ok' : other.reason, 'not-requester');
      const wrong = await b.transition(run.id, 'cancel', { by: origin.requester });
      assert.equal(wrong.ok ? 'ok' : wrong.reason, 'wrong-state');
      const missing = await b.transition(randomUUID(), 'shut-down');
      assert.equal(missing.ok ? 'ok' : missing.reason, 'missing');
      const stop = await b.transition(run.id, 'stop', { by: origin.requester, stopReason: 'stopped by x' });
      assert.ok(stop.ok);
      const back = await a.get(run.id);
      assert.equal(back?.stopReason, 'stopped by x');
      assert.deepEqual(back?.peers, ['p1', 'p2']);
      assert.equal(back?.readTime, 5);
    });

    it('puts back a run it lost, and leaves one it has alone', async () => {
      const [a, b] = impl.runs();
      await ready();
      const run = await a.create({ origin, user: 'bob', readTime: undefined, total: 3, state: 'running' });
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

    it('keeps both handles of one budget, together, under its ceiling on average', async () => {
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
      await Promise.all(Array.from({ length: 150 }, (_, i) => take(i % 2 ? a : b)));
      assert.equal(granted.length, 150);
      // 20 per 200 ms is 100/s for both together; two handles each keeping the pace alone would reach 200/s.
      assertMeanRateUnder(granted, (max * 1_000) / windowMs, 'slots granted on two handles');
      a.close();
      b.close();
    });

    it('slows every handle of the budget down when one is told it is too fast', async () => {
      const [a, b] = impl.budget(`budget:${randomUUID()}`, 40, 200);
      await ready();
      await (await b.acquire()).sent();
      a.slowDown();
      // On Redis the slow-down is sent without waiting; A reads the lowered limit once it has been applied.
      await waitFor(() => a.currentLimit === 20, { what: 'the slow-down to reach the shared budget' });
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
      await waitFor(() => leases.length === 1, { what: 'the job to reach the worker' });
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
    const staleAfterMs = 1_000;
    const a = journalOn(la, { heartbeatMs: 100, scanMs: 100, staleAfterMs });
    const b = journalOn(lb, { heartbeatMs: 100, scanMs: 100, staleAfterMs });
    const scansByB = recordScans(lb.client);
    const onA: JobLease[] = [];
    const onB: JobLease[] = [];
    const heldByA = gate();
    await a.start(async (lease) => {
      onA.push(lease);
      await lease.checkpoint({ position: 40 });
      await heldByA.shut;
    });
    await a.record({ id: 'bulk-1', payload: { kind: 'bulk' } });
    await waitFor(() => onA.length === 1, { what: 'A to take the job' });
    const staleFrom = performance.now() + staleAfterMs;
    await b.start(async (lease) => {
      onB.push(lease);
      await lease.done();
    });
    // A renews its lease: B's scans, once the job would have gone stale without renewal, must leave it alone.
    await waitFor(() => scansByB.filter((scan) => scan.at > staleFrom).length >= 3, {
      what: 'three takeover scans by B past the takeover time',
    });
    assert.deepEqual(
      scansByB.filter((scan) => scan.claimed > 0),
      [],
      'a live replica keeps its work',
    );
    assert.equal(onB.length, 0);
    // A "dies": it stops renewing (its timers stop) but never lets go.
    await a.stop({ handOff: false });
    await waitFor(() => onB.length === 1, { what: "B to take over A's job" });
    assert.equal(onB[0]?.job.id, 'bulk-1');
    assert.deepEqual(onB[0]?.saved, { position: 40 });
    assert.equal(onB[0]?.deliveries, 2);
    heldByA.open();
    await b.stop();
  });

  it('tells a replica that stalled past the takeover that the job is no longer its own, and ignores its done()', async () => {
    // A renews rarely (a stalled replica); B takes over anything idle for 300 ms.
    const { la, a, b, letGo } = await journalThatLetsGo(
      { heartbeatMs: 1_500, scanMs: 60_000, staleAfterMs: 60_000 },
      { heartbeatMs: 100, scanMs: 100, staleAfterMs: 300 },
      (lease) => lease.done(), // finishing late must not acknowledge the job under its new owner
    );
    await a.record({ id: 'stalled-1', payload: {} });
    const onB: JobLease[] = [];
    const heldByB = gate();
    await b.start(async (lease) => {
      onB.push(lease);
      await heldByB.shut;
      await lease.done();
    });
    await waitFor(() => onB.length === 1, { what: 'B to take over the stalled job' });
    const reason = await letGo();
    assert.ok(reason instanceof LetGo && reason.why === 'taken');
    const raw = new Redis(redis?.url as string);
    const pending = async () => ((await raw.xpending(la.key('work'), 'workers')) as [number])[0];
    try {
      assert.equal(await pending(), 1, "still pending, under B: A's late done() did nothing");
      heldByB.open();
      // B's done() acknowledges it.
      await waitFor(async () => (await pending()) === 0, { what: "B's done() to acknowledge the job" });
    } finally {
      raw.disconnect();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('hands work over at once on a graceful stop, and tells the old owner to let go', async () => {
    // Neither takes over a stale job within 60 s: B can only have it through the hand-over.
    const { a, b, letGo, held } = await journalThatLetsGo(
      { heartbeatMs: 100, scanMs: 100, staleAfterMs: 60_000 },
      { heartbeatMs: 100, scanMs: 100, staleAfterMs: 60_000 },
      (lease) => lease.release(),
    );
    await a.record({ id: 'bulk-2', payload: {} });
    await waitFor(held, { what: 'A to take the job' });
    const onB: JobLease[] = [];
    await b.start(async (lease) => {
      onB.push(lease);
      await lease.done();
    });
    await a.stop({ handOff: true });
    await waitFor(() => onB.length === 1, { what: 'B to take the handed-over job', timeoutMs: 20_000 });
    const reason = await letGo();
    assert.ok(reason instanceof LetGo && reason.why === 'handoff');
    await b.stop();
  });

  it('keeps nothing of a finished job, and expires what it keeps', async () => {
    const l = link();
    await ready();
    const journal = journalOn(l);
    let finished = false;
    await journal.start(async (lease) => {
      await lease.checkpoint({ x: 1 });
      await lease.done();
      finished = true;
    });
    await journal.record({ id: 'job-x', payload: {} });
    await waitFor(() => finished, { what: 'the job to be done' });
    await journal.stop();
    const raw = new Redis(redis?.url as string);
    try {
      assert.equal(await raw.xlen(l.key('work')), 0);
      assert.equal(await raw.exists(l.key('job:job-x')), 0);
      const store = new RedisRunStore(l);
      const run = await store.create({ origin, user: 'bob', readTime: undefined, total: 1, state: 'awaiting' });
      const ttl = await raw.pttl(l.key(`run:${run.id}`));
      assert.ok(ttl > 0 && ttl <= 15 * 60_000, `an unconfirmed run expires (${ttl} ms)`);
    } finally {
      raw.disconnect();
    }
  });
});

/**
 * Two journals of one deployment; A's handler holds its job until it is told to let go, then ends it with
 * `then`. `letGo()` waits for the reason A was given; `held()` says whether A has the job.
 */
async function journalThatLetsGo(
  optionsA: RedisJournalOptions,
  optionsB: RedisJournalOptions,
  then: (lease: JobLease) => Promise<void>,
) {
  const [la, lb] = twoLinks();
  await ready();
  const a = journalOn(la, optionsA);
  const b = journalOn(lb, optionsB);
  let holding = false;
  let reason: unknown;
  await a.start(async (lease) => {
    holding = true;
    await new Promise((r) => lease.signal.addEventListener('abort', r, { once: true }));
    reason = lease.signal.reason;
    await then(lease);
  });
  const letGo = () => waitFor(() => reason, { what: 'A to be told to let go' });
  return { la, a, b, letGo, held: () => holding };
}

/** A promise that stays pending until the test calls `open()`: a job handler holding its job. */
function gate(): { shut: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const shut = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { shut, open };
}

/** Every takeover scan (XAUTOCLAIM) made on `client`: when it answered, and how many jobs it claimed. */
function recordScans(client: Redis): Array<{ at: number; claimed: number }> {
  const scans: Array<{ at: number; claimed: number }> = [];
  const scan = client.xautoclaim.bind(client) as (...args: unknown[]) => Promise<[string, unknown[]]>;
  Object.assign(client, {
    xautoclaim: async (...args: unknown[]) => {
      const reply = await scan(...args);
      scans.push({ at: performance.now(), claimed: reply[1].length });
      return reply;
    },
  });
  return scans;
}
