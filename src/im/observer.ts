import type { BreakerState } from './circuit-breaker.js';

/** How a call ended, as its result says. */
export type ImCallOutcome = 'ok' | 'fail' | 'unreachable';

/**
 * What the IM client tells whoever watches it (the app's metrics): Slack-free and metrics-free, so the client
 * stays what it is and the CLI watches nothing. `api` is the API's command (`admin_set_msg_read`): a fixed few.
 * Each method is called on the client's own path, so it must be quick and must not throw.
 */
export interface ImCallObserver {
  /** A call ended, all its attempts and waits included. */
  onCall(api: string, seconds: number, outcome: ImCallOutcome): void;
  /** The retry policy sent the call again. */
  onRetry(api: string): void;
  /** A send slot was granted after this long. */
  onBudgetWait(api: string, seconds: number): void;
  /** No send slot could be had in time: the call went without one (skipped, or ended before its attempt). */
  onBudgetRefused(api: string): void;
  /** The server answered with a frequency-limit code (the rate was halved). */
  onFrequencyLimit(api: string): void;
  /** A host's circuit breaker changed state. */
  onBreakerChange(host: string, state: BreakerState): void;
}
