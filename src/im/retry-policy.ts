import { backoffDelayMs } from './backoff.js';
import type { RetryClass } from './error-catalogue.js';

/** What one attempt came to, as far as retrying goes (a success is never retried, so it is not here). */
export type AttemptResult =
  /** The API answered FAIL: `retry` is its code's class in the error catalogue. */
  | { kind: 'fail'; retry: RetryClass }
  /**
   * No usable answer (no connection, a timeout, a reset, a bad status or body). `written`: the request reached
   * the socket, so the server may have acted on it; `failedOver`: the primary host failed to connect and the
   * call moves to the backup host.
   */
  | { kind: 'no-answer'; written: boolean; idempotent: boolean; failedOver: boolean };

/** What earlier retries of this call used up. */
export interface RetryState {
  /** Retries that waited out a backoff: each one doubles the next wait. */
  backoffs: number;
  newUserSigTried: boolean;
  onceMoreTried: boolean;
}

export const NO_RETRIES_YET: RetryState = { backoffs: 0, newUserSigTried: false, onceMoreTried: false };

/** Where the call stands after an attempt. */
export interface Attempt extends RetryState {
  /** Attempts sent so far, this one included. */
  number: number;
  maxAttempts: number;
  /** Time left before the call's deadline. */
  msLeft: number;
  /** The caller stopped the call: wait no more. */
  stopped: boolean;
  /** A draw from [0, 1) for the backoff's jitter, made by the caller so that the decision stays pure. */
  jitter: number;
}

export interface RetryTuning {
  baseMs: number;
  /** The backoff base after a frequency-limit answer: longer, since every caller is slowing down too. */
  slowDownBaseMs: number;
  capMs: number;
  /** No attempt is made with less time left than this: its answer could not come back in time. */
  minAttemptMs: number;
}

export type RetryDecision =
  | { retry: false }
  | { retry: true; delayMs: number; regenerateSig: boolean; next: RetryState };

const GIVE_UP: RetryDecision = { retry: false };

/**
 * Whether to try a call again after an attempt, and when. Pure: the same attempt and result always give the same
 * decision. A new UserSig and a move to the backup host are tried at once and cost no backoff; everything else
 * backs off (jittered, doubling), within the call's attempts and deadline.
 */
export function decideRetry(attempt: Attempt, result: AttemptResult, tuning: RetryTuning): RetryDecision {
  const state: RetryState = {
    backoffs: attempt.backoffs,
    newUserSigTried: attempt.newUserSigTried,
    onceMoreTried: attempt.onceMoreTried,
  };
  if (result.kind === 'no-answer') {
    // The server may have acted on a request it received: only an idempotent call may be sent twice.
    if (result.written && !result.idempotent) return GIVE_UP;
    if (result.failedOver) return { retry: true, delayMs: 0, regenerateSig: false, next: state };
    return backOff(attempt, state, tuning.baseMs, tuning);
  }
  switch (result.retry) {
    case 'never':
      return GIVE_UP;
    case 'new-usersig':
      if (attempt.newUserSigTried) return GIVE_UP;
      return { retry: true, delayMs: 0, regenerateSig: true, next: { ...state, newUserSigTried: true } };
    case 'once-more':
      if (attempt.onceMoreTried) return GIVE_UP;
      return backOff(attempt, { ...state, onceMoreTried: true }, tuning.baseMs, tuning);
    case 'slow-down':
      return backOff(attempt, state, tuning.slowDownBaseMs, tuning);
    case 'transient':
      return backOff(attempt, state, tuning.baseMs, tuning);
  }
}

function backOff(attempt: Attempt, state: RetryState, baseMs: number, tuning: RetryTuning): RetryDecision {
  const backoffs = state.backoffs + 1;
  const delayMs = backoffDelayMs(backoffs, baseMs, tuning.capMs, () => attempt.jitter);
  if (attempt.number >= attempt.maxAttempts || delayMs + tuning.minAttemptMs > attempt.msLeft || attempt.stopped)
    return GIVE_UP;
  return { retry: true, delayMs, regenerateSig: false, next: { ...state, backoffs } };
}
