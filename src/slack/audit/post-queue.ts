import { setTimeout as sleep } from 'node:timers/promises';
import type { SendBudget } from '../../stores/send-budget.js';

/** What one attempt to post came to: the queue decides what happens next. */
export type Attempt =
  | { kind: 'posted' }
  /** Worth another try: a network error, a 5xx, Slack's internal_error; a 429 says when (`afterMs`). */
  | { kind: 'retry'; problem: string; afterMs?: number; rateLimited?: boolean }
  /** Another try would get the same answer (not_in_channel, channel_not_found, invalid_auth…). */
  | { kind: 'refused'; problem: string };

/** Why an item was never posted: the queue was full, retries ran out, Slack refused it, or the queue closed. */
export type DropCause = 'full' | 'failed' | 'refused' | 'closed';

export interface PostQueueOptions<T> {
  /** One attempt; must not throw. `signal` aborts when the queue closes. */
  post(item: T, signal: AbortSignal): Promise<Attempt>;
  /** The pace: one slot per attempt, retries included (shared with other replicas when it is Redis's). */
  budget: SendBudget;
  /** Items waiting at most; one more is dropped (counted), never the ones already queued. Default 1,000. */
  capacity?: number;
  /** Tries after a transient failure, with doubling backoff from `backoffMs`. Default 3. */
  retries?: number;
  /** Tries after a 429, each after its Retry-After. Default 10. */
  rateLimitRetries?: number;
  backoffMs?: number;
  onDrop?(cause: DropCause, problem: string | undefined): void;
}

/**
 * A bounded FIFO with one worker that owns every retry: each attempt waits for a slot of `budget`, a 429 pauses
 * the queue for its Retry-After, a transient failure backs off, and what cannot be posted is dropped and counted
 * by cause. Posting is serial on purpose: one channel takes about one message per second, and order matters to
 * whoever reads it. `push` never waits, so whoever records an event is never slowed by Slack.
 */
export class PostQueue<T> {
  posted = 0;
  readonly dropped: Record<DropCause, number> = { full: 0, failed: 0, refused: 0, closed: 0 };
  /** The last reason an attempt failed, in words (for the CLI's "not posted" line). */
  lastProblem: string | undefined;
  private readonly items: T[] = [];
  private readonly closing = new AbortController();
  private wake: (() => void) | undefined;
  private idle: Array<() => void> = [];
  private readonly worker: Promise<void>;

  constructor(private readonly options: PostQueueOptions<T>) {
    this.worker = this.run();
  }

  /** Waiting or being posted. */
  get depth(): number {
    return this.items.length;
  }

  get droppedTotal(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }

  push(item: T): boolean {
    if (this.closing.signal.aborted) return this.drop('closed', 'the audit channel queue is closed');
    if (this.items.length >= (this.options.capacity ?? 1_000)) return this.drop('full', 'the queue was full');
    this.items.push(item);
    this.wake?.();
    return true;
  }

  /** Resolves true once the queue is empty, or false at `deadline` (epoch ms) with items still in it. */
  async flush(deadline: number): Promise<boolean> {
    if (this.items.length === 0) return true;
    const timeout = new AbortController();
    const emptied = new Promise<true>((resolve) => this.idle.push(() => resolve(true)));
    const late = sleep(Math.max(0, deadline - Date.now()), false, { signal: timeout.signal }).catch(() => false);
    try {
      return await Promise.race([emptied, late]);
    } finally {
      timeout.abort();
    }
  }

  /** Stops the worker (aborting a post in flight); what was still queued is dropped as `closed`. Returns how many. */
  async close(): Promise<number> {
    this.closing.abort();
    this.wake?.();
    await this.worker;
    const left = this.items.splice(0).length;
    this.dropped.closed += left;
    if (left > 0) this.options.onDrop?.('closed', this.lastProblem);
    for (const done of this.idle.splice(0)) done();
    return left;
  }

  private drop(cause: DropCause, problem: string | undefined): false {
    this.dropped[cause]++;
    this.options.onDrop?.(cause, problem);
    return false;
  }

  private async run(): Promise<void> {
    const { signal } = this.closing;
    while (!signal.aborted) {
      const item = this.items[0];
      if (item === undefined) {
        for (const done of this.idle.splice(0)) done();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      if (!(await this.deliver(item, signal))) return;
      this.items.shift();
    }
  }

  /** Posts one item, retrying as its failures allow; false if the queue closed first (the item stays queued). */
  private async deliver(item: T, signal: AbortSignal): Promise<boolean> {
    const { retries = 3, rateLimitRetries = 10, backoffMs = 500 } = this.options;
    let failures = 0;
    let limited = 0;
    for (;;) {
      if (!(await this.slot(signal))) return false;
      const attempt = await this.options.post(item, signal);
      if (attempt.kind === 'posted') {
        this.posted++;
        return true;
      }
      if (signal.aborted) return false;
      this.lastProblem = attempt.problem;
      if (attempt.kind === 'refused') return !this.drop('refused', attempt.problem);
      const over = attempt.rateLimited ? ++limited > rateLimitRetries : ++failures > retries;
      if (over) return !this.drop('failed', attempt.problem);
      const wait = attempt.afterMs ?? backoffMs * 2 ** (failures - 1);
      if (!(await sleep(wait, true, { signal }).catch(() => false))) return false;
    }
  }

  /** Waits for a send slot; false once the queue closes. A slot further away than a minute is asked for again. */
  private async slot(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      try {
        await this.options.budget.acquire(signal, 60_000);
        return true;
      } catch {
        if (!signal.aborted) await sleep(1_000, undefined, { signal }).catch(() => {});
      }
    }
    return false;
  }
}
