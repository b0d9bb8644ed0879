import { performance } from 'node:perf_hooks';
import type { SendBudget, SendSlot } from '../stores/send-budget.js';

export interface PacerOptions {
  /** At most this many departures in any sliding window. */
  maxPerWindow: number;
  windowMs?: number;
  /**
   * Extra width added to the window. A request that leaves here arrives at the server a little later and not
   * always in order; the margin keeps the server's own sliding-second count under the ceiling too.
   */
  marginMs?: number;
  now?: () => number;
}

export class PacerAbortedError extends Error {
  constructor() {
    super('gave up waiting for a send slot');
    this.name = 'PacerAbortedError';
  }
}

interface Departure {
  at: number;
}

interface Waiter {
  resolve: (slot: SendSlot) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Lets at most `maxPerWindow` requests leave in any sliding window, however many callers wait (FIFO), and spaces
 * them evenly across the window rather than in a burst at its start: a burst's requests reach the server spread
 * out by connection set-up and scheduling, and could then share a server-side second with the next burst.
 * `slowDown()` halves the allowed rate when the server says we are too fast; the rate then climbs back by a
 * tenth of the ceiling for every quiet window.
 */
export class SlidingWindowPacer implements SendBudget {
  readonly maxPerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /**
   * Departures, oldest first; entries before `head` have aged out. A departure starts at the time its slot was
   * granted and moves to when the request actually left (a new connection can take tens of ms on a busy
   * machine), so the window counts real sends, which is what the server sees.
   */
  private departures: Departure[] = [];
  private head = 0;
  private readonly waiting: Waiter[] = [];
  private waitHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private limit: number;
  private lastAdjust: number;
  /** Earliest time of the next departure under even spacing. */
  private nextAt = -Infinity;

  constructor(options: PacerOptions) {
    if (!Number.isInteger(options.maxPerWindow) || options.maxPerWindow < 1)
      throw new RangeError('maxPerWindow must be a positive integer');
    this.maxPerWindow = options.maxPerWindow;
    this.windowMs = (options.windowMs ?? 1000) + (options.marginMs ?? 25);
    this.now = options.now ?? (() => performance.now());
    this.limit = this.maxPerWindow;
    this.lastAdjust = this.now();
  }

  /** The rate currently allowed (below the ceiling after a slow-down). */
  get currentLimit(): number {
    this.recover(this.now());
    return this.limit;
  }

  /** Roughly how long a request asking now would wait for its slot: the queue ahead of it at the current rate. */
  estimatedWaitMs(): number {
    return ((this.queued + 1) * this.windowMs) / this.currentLimit;
  }

  get queued(): number {
    return this.waiting.length - this.waitHead;
  }

  /** Resolves when the caller may send. Rejects with PacerAbortedError if `signal` aborts first. */
  acquire(signal?: AbortSignal, _maxWaitMs?: number): Promise<SendSlot> {
    if (signal?.aborted) return Promise.reject(new PacerAbortedError());
    return new Promise<SendSlot>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiting.indexOf(waiter, this.waitHead);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(new PacerAbortedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** The server answered "too many calls": halve the allowed rate for now. */
  slowDown(): void {
    const now = this.now();
    this.recover(now);
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.lastAdjust = now;
  }

  /** Stops the timer; queued callers are rejected. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queued > 0) this.takeWaiter().reject(new PacerAbortedError());
  }

  private recover(now: number): void {
    if (this.limit >= this.maxPerWindow) {
      this.lastAdjust = now;
      return;
    }
    const quietWindows = Math.floor((now - this.lastAdjust) / this.windowMs);
    if (quietWindows > 0) {
      this.limit = Math.min(
        this.maxPerWindow,
        this.limit + quietWindows * Math.max(1, Math.ceil(this.maxPerWindow / 10)),
      );
      this.lastAdjust += quietWindows * this.windowMs;
    }
  }

  private takeWaiter(): Waiter {
    const waiter = this.waiting[this.waitHead++] as Waiter;
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitHead);
      this.waitHead = 0;
    }
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }

  private pump(): void {
    if (this.timer) return; // a wake-up is already scheduled; it will pump
    while (this.queued > 0) {
      const now = this.now();
      this.recover(now);
      while (this.head < this.departures.length && (this.departures[this.head] as Departure).at <= now - this.windowMs)
        this.head++;
      if (this.head > 1024 && this.head * 2 > this.departures.length) {
        this.departures = this.departures.slice(this.head);
        this.head = 0;
      }
      const inWindow = this.departures.length - this.head;
      const gap = this.windowMs / this.limit;
      if (inWindow < this.limit && now >= this.nextAt) {
        const departure: Departure = { at: now };
        this.departures.push(departure);
        // Keep to the schedule when a timer fires a little late (no drift below the rate), but do not bank
        // idle time into a burst.
        this.nextAt = (this.nextAt >= now - gap ? this.nextAt : now) + gap;
        this.takeWaiter().resolve({
          sent: (at = this.now()) => {
            departure.at = Math.max(departure.at, at);
          },
        });
        continue;
      }
      // Wait for the next even slot, and until enough departures age out to get under the (possibly lowered) limit.
      const windowFreeAt =
        inWindow < this.limit
          ? now
          : (this.departures[this.head + inWindow - this.limit] as Departure).at + this.windowMs;
      const wakeAt = Math.max(this.nextAt, windowFreeAt);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, Math.ceil(wakeAt - now)),
      );
      return;
    }
  }
}

/**
 * While a budget shared with other processes (through Redis) cannot be reached,
 * each process keeps to this share of the ceiling on its own, so a few of them together stay under it.
 */
export const LOCAL_SHARE = 0.25;

/** The in-process pacer that stands in for an unreachable shared budget: `LOCAL_SHARE` of its ceiling. */
export function localSharePacer(
  maxPerWindow: number,
  options: Omit<PacerOptions, 'maxPerWindow'> = {},
): SlidingWindowPacer {
  return new SlidingWindowPacer({ ...options, maxPerWindow: Math.max(1, Math.floor(maxPerWindow * LOCAL_SHARE)) });
}
