export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive transport failures that open the circuit. */
  threshold?: number;
  /** How long an open circuit fails calls at once before one probe is let through. */
  cooldownMs?: number;
  now?: () => number;
  /** Told once per change of state: the one log line per change. */
  onChange?: (state: BreakerState, detail: string) => void;
}

/**
 * One per IM host. After `threshold` consecutive transport failures (no connection, timeouts, resets, gateway
 * errors) it opens: calls fail at once with when and why, instead of each waiting out its own retries against
 * a dead host. After the cool-down one call probes; its success closes the circuit, its failure opens it again.
 * An answer from the API, even a FAIL, proves the host is up.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private lastError = '';
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get current(): BreakerState {
    return this.state;
  }

  /** Undefined if a request may be sent now; otherwise why not, in words for the requester. */
  refusal(): string | undefined {
    if (this.state === 'closed') return undefined;
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) {
      this.change('half-open', 'cool-down over; probing with one call');
      return undefined;
    }
    return `IM API unreachable since ${new Date(this.openedAt).toISOString().slice(11, 19)} UTC (last error: ${this.lastError}); not retrying until it answers again`;
  }

  success(): void {
    this.failures = 0;
    if (this.state !== 'closed') this.change('closed', 'the IM API answers again');
  }

  failure(detail: string): void {
    this.failures++;
    this.lastError = detail;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.threshold)) {
      this.openedAt = this.now();
      this.change('open', `${this.failures} transport failures in a row, last: ${detail}`);
    }
  }

  private change(state: BreakerState, detail: string): void {
    this.state = state;
    this.options.onChange?.(state, detail);
  }
}
