import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { adminSetMsgRead } from '../src/im/apis/admin-set-msg-read.js';
import { SlidingWindowPacer } from '../src/im/pacer.js';
import type { SendBudgetFactory } from '../src/stores/send-budget.js';
import { fail } from '../stand-ins/im-stand-in.js';
import { type ImFixture, startImFixture } from './support/im-fixture.js';
import { assertMeanRateUnder, meanRatePerSecond } from './support/rate.js';

const fixtures: ImFixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});

describe('pacing', () => {
  it('keeps the mean rate under TIM_MAX_RPS, however many callers wait, and every call goes through', async () => {
    const f = await startImFixture({ settings: { maxRps: 40, deadlineMs: 10_000 } });
    fixtures.push(f);
    const calls = Array.from({ length: 100 }, (_, i) =>
      adminSetMsgRead(f.client, { reportAccount: `u${i}`, peerAccount: 'p' }),
    );
    const results = await Promise.all(calls);
    assert.deepEqual(
      results.filter((r) => r.status !== 'ok'),
      [],
    );
    assert.equal(f.standIn.arrivals.length, 100, 'one attempt each: none refused, none retried');
    const arrivals = f.standIn.accepted().map((a) => a.at);
    assert.equal(arrivals.length, 100);
    // Unpaced, 100 calls to a local stand-in arrive at hundreds a second.
    assertMeanRateUnder(arrivals, 40, '100 calls at TIM_MAX_RPS=40');
  });

  it('serves waiting callers in order', async () => {
    const pacer = new SlidingWindowPacer({ maxPerWindow: 2, windowMs: 100, marginMs: 0 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => pacer.acquire().then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    pacer.close();
  });

  it('lets a waiting caller give up when its signal aborts', async () => {
    const pacer = new SlidingWindowPacer({ maxPerWindow: 1, windowMs: 10_000, marginMs: 0 });
    await pacer.acquire();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    assert.equal(pacer.queued, 1);
    controller.abort();
    await assert.rejects(waiting, /gave up waiting/);
    assert.equal(pacer.queued, 0);
    pacer.close();
  });

  it('counts a send from when it really left, not from when its slot was granted', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let now = 0;
    const advance = async (ms: number) => {
      now += ms;
      t.mock.timers.tick(ms);
      await new Promise((r) => setImmediate(r));
    };
    const pacer = new SlidingWindowPacer({ maxPerWindow: 1, windowMs: 200, marginMs: 0, now: () => now });
    const slot = await pacer.acquire();
    // The request only reached the socket 150 ms later (say, a slow connect): the window runs from then.
    slot.sent(150);
    let granted = false;
    const next = pacer.acquire().then(() => {
      granted = true;
    });
    await advance(349);
    assert.equal(granted, false, 'not while the real send is still in the window (150 + 200 ms)');
    await advance(1);
    await next;
    assert.equal(granted, true);
    pacer.close();
  });

  it('halves the rate on slow-down and climbs back a tenth per quiet window', () => {
    let now = 0;
    const pacer = new SlidingWindowPacer({ maxPerWindow: 100, windowMs: 1000, marginMs: 0, now: () => now });
    pacer.slowDown();
    pacer.slowDown();
    assert.equal(pacer.currentLimit, 25);
    now += 1000;
    assert.equal(pacer.currentLimit, 35);
    now += 10_000;
    assert.equal(pacer.currentLimit, 100);
  });

  it('a frequency-limit answer slows other callers too', async () => {
    const f = await startImFixture({ settings: { maxRps: 20, deadlineMs: 10_000 } });
    fixtures.push(f);
    let limited = false;
    f.standIn.behave = () => {
      if (limited) return undefined;
      limited = true;
      return fail(60018);
    };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => adminSetMsgRead(f.client, { reportAccount: `u${i}`, peerAccount: 'p' })),
    );
    assert.ok(results.every((r) => r.status === 'ok'));
    assert.equal(f.standIn.arrivals.filter((a) => a.rejected).length, 0);
    const arrivals = f.standIn.arrivals.map((a) => a.at);
    assert.equal(arrivals.length, 31, '30 calls and one retry of the limited one');
    // Halved to 10/s and climbing back 2/s per quiet second, 31 arrivals average about 11/s; at the full rate 20/s.
    const rate = meanRatePerSecond(arrivals);
    assert.ok(rate <= 15, `${rate.toFixed(1)}/s on average after a slow-down from 20/s`);
  });

  it("tells each client's pacer when its own requests were written, and never another client's", async () => {
    const sentBy = { a: [] as number[], b: [] as number[] };
    const [a, b] = await Promise.all([
      startImFixture({ client: { budget: recordingBudget(sentBy.a) } }),
      startImFixture({ client: { budget: recordingBudget(sentBy.b) } }),
    ]);
    fixtures.push(a, b);
    const started = performance.now();
    const results = await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => adminSetMsgRead(a.client, { reportAccount: `a${i}`, peerAccount: 'p' })),
      ...Array.from({ length: 2 }, (_, i) => adminSetMsgRead(b.client, { reportAccount: `b${i}`, peerAccount: 'p' })),
    ]);
    assert.ok(results.every((r) => r.status === 'ok'));
    assert.equal(sentBy.a.length, 3);
    assert.equal(sentBy.b.length, 2);
    assert.ok([...sentBy.a, ...sentBy.b].every((at) => at >= started));
  });
});

/** Budgets that record each `sent(at)` their slots are told, beside an in-process pacer that does the pacing. */
function recordingBudget(sentAt: number[]): SendBudgetFactory {
  return (_command, maxPerWindow) => {
    const pacer = new SlidingWindowPacer({ maxPerWindow });
    return {
      maxPerWindow,
      get currentLimit() {
        return pacer.currentLimit;
      },
      get queued() {
        return pacer.queued;
      },
      estimatedWaitMs: () => pacer.estimatedWaitMs(),
      acquire: async (signal, maxWaitMs) => {
        const slot = await pacer.acquire(signal, maxWaitMs);
        return {
          sent: (at) => {
            sentAt.push(at ?? Number.NaN);
            slot.sent(at);
          },
        };
      },
      slowDown: () => pacer.slowDown(),
      close: () => pacer.close(),
    };
  };
}
