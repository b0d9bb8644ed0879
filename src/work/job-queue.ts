/** How many tasks run and how many wait for a slot. */
export interface QueueDepth {
  running: number;
  waiting: number;
}

/**
 * At most `maxRunning` tasks at once; up to `maxWaiting` more wait for a slot, first in, first out. A task is
 * refused (push returns false) rather than queued without end, so a flood of work can neither grow the heap
 * without bound nor delay every outcome behind it without its requester knowing.
 */
export class JobQueue<T extends object> {
  private waiting: T[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly run: (item: T) => Promise<void>,
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  depth(): QueueDepth {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Queues `item`; it runs on a later turn of the event loop, never inside this call. False when full. */
  push(item: T): boolean {
    if (this.running < this.maxRunning) {
      this.running++;
      setImmediate(() => void this.runFrom(item));
      return true;
    }
    if (this.closed || this.waiting.length >= this.maxWaiting) return false;
    this.waiting.push(item);
    return true;
  }

  /**
   * From now on nothing waits: a push succeeds only while a slot is free. Returns the items that were waiting, in
   * order; they will not run. What is running goes on.
   */
  close(): T[] {
    this.closed = true;
    const taken = this.waiting;
    this.waiting = [];
    return taken;
  }

  /** Runs `item`, then the waiting items one after another in the same slot, which it gives up when none wait. */
  private async runFrom(item: T): Promise<void> {
    for (let next: T | undefined = item; next !== undefined; next = this.waiting.shift()) {
      try {
        await this.run(next);
      } catch {
        // The runner reports its own failures; a slot must never be lost to one.
      }
    }
    this.running--;
  }
}
