import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainError } from '../src/im/error-catalogue.js';
import {
  type Attempt,
  type AttemptResult,
  decideRetry,
  NO_RETRIES_YET,
  type RetryTuning,
} from '../src/im/retry-policy.js';

const TUNING: RetryTuning = { baseMs: 250, slowDownBaseMs: 1_000, capMs: 5_000, minAttemptMs: 500 };

/** The first attempt of a call with plenty of time and attempts left; the jitter in the middle of its range. */
function first(overrides: Partial<Attempt> = {}): Attempt {
  return { ...NO_RETRIES_YET, number: 1, maxAttempts: 8, msLeft: 20_000, stopped: false, jitter: 0.5, ...overrides };
}

const answered = (code: number): AttemptResult => ({ kind: 'fail', retry: explainError(code).retry });
const noAnswer = (overrides: Partial<Extract<AttemptResult, { kind: 'no-answer' }>> = {}): AttemptResult => ({
  kind: 'no-answer',
  written: true,
  idempotent: true,
  failedOver: false,
  ...overrides,
});

/** Codes of each class in the error reference (shared/reference/tencent-im.md). */
const FREQUENCY_LIMIT = [60007, 60011, 60018, 60019];
const INTERNAL = [60013, 60014, 70169, 70500, 20004, 20005, 90992, 90994, 90995, 91000, 50004, 50005, 10002];
const SIGNATURE = [70001, 70002, 70003, 70005, 70052, 60004, 60005];
const NEVER = [90001, 90003, 90008, 60002, 60003, 60006, 60010, 60012, 60015, 70403, 70402, 70398, 12345];

describe('retry policy', () => {
  for (const code of FREQUENCY_LIMIT)
    it(`backs off from the slow-down base on frequency limit ${code}`, () => {
      const decision = decideRetry(first(), answered(code), TUNING);
      // Half-jitter: the first wait is drawn from the upper half of the base.
      assert.deepEqual(decision, {
        retry: true,
        delayMs: 750,
        regenerateSig: false,
        next: { ...NO_RETRIES_YET, backoffs: 1 },
      });
    });

  for (const code of INTERNAL)
    it(`retries internal error ${code} after a backoff that doubles each time, up to its cap`, () => {
      const delays = [0, 1, 2, 3, 4, 5].map((backoffs) => {
        const decision = decideRetry(first({ backoffs, number: backoffs + 1 }), answered(code), TUNING);
        assert.equal(decision.retry, true);
        return decision.retry ? decision.delayMs : 0;
      });
      assert.deepEqual(delays, [188, 375, 750, 1_500, 3_000, 3_750]);
    });

  for (const code of SIGNATURE)
    it(`makes a new UserSig at once on ${code}, once per call`, () => {
      const once = decideRetry(first(), answered(code), TUNING);
      assert.deepEqual(once, {
        retry: true,
        delayMs: 0,
        regenerateSig: true,
        next: { ...NO_RETRIES_YET, newUserSigTried: true },
      });
      assert.deepEqual(decideRetry(first({ number: 2, newUserSigTried: true }), answered(code), TUNING), {
        retry: false,
      });
    });

  it('retries 60008 once, after a backoff, and never twice', () => {
    const once = decideRetry(first(), answered(60008), TUNING);
    assert.equal(once.retry, true);
    assert.deepEqual(once.retry && once.next, { ...NO_RETRIES_YET, backoffs: 1, onceMoreTried: true });
    assert.deepEqual(decideRetry(first({ number: 2, ...(once.retry ? once.next : {}) }), answered(60008), TUNING), {
      retry: false,
    });
  });

  for (const code of NEVER)
    it(`never retries ${code}`, () => {
      assert.deepEqual(decideRetry(first(), answered(code), TUNING), { retry: false });
    });

  it('retries an idempotent call that got no usable answer, written or not', () => {
    for (const written of [true, false]) {
      const decision = decideRetry(first(), noAnswer({ written }), TUNING);
      assert.equal(decision.retry && decision.delayMs, 188);
    }
  });

  it('retries a call that is not idempotent only if its request was never written', () => {
    assert.deepEqual(decideRetry(first(), noAnswer({ idempotent: false }), TUNING), { retry: false });
    const unsent = decideRetry(first(), noAnswer({ idempotent: false, written: false }), TUNING);
    assert.equal(unsent.retry, true);
  });

  it('moves to the backup host at once, without spending a backoff or an attempt of the budget', () => {
    const decision = decideRetry(first({ number: 8 }), noAnswer({ written: false, failedOver: true }), TUNING);
    assert.deepEqual(decision, { retry: true, delayMs: 0, regenerateSig: false, next: NO_RETRIES_YET });
  });

  it('gives up after the last attempt the call may make', () => {
    assert.equal(decideRetry(first({ number: 7 }), answered(70500), TUNING).retry, true);
    assert.deepEqual(decideRetry(first({ number: 8 }), answered(70500), TUNING), { retry: false });
    assert.deepEqual(decideRetry(first({ maxAttempts: 1 }), noAnswer(), TUNING), { retry: false });
  });

  it('gives up when the backoff and one more attempt would not fit before the deadline', () => {
    // The first backoff is 188 ms with this jitter; an attempt needs 500 ms.
    assert.equal(decideRetry(first({ msLeft: 688 }), answered(70500), TUNING).retry, true);
    assert.deepEqual(decideRetry(first({ msLeft: 687 }), answered(70500), TUNING), { retry: false });
  });

  it('gives up once the caller stopped, rather than wait out a backoff', () => {
    assert.deepEqual(decideRetry(first({ stopped: true }), answered(70500), TUNING), { retry: false });
  });

  it('spreads retries by the jitter it is given, within the upper half of the backoff', () => {
    const low = decideRetry(first({ jitter: 0 }), answered(70500), TUNING);
    const high = decideRetry(first({ jitter: 0.999 }), answered(70500), TUNING);
    assert.equal(low.retry && low.delayMs, 125);
    assert.equal(high.retry && high.delayMs, 250);
  });
});
