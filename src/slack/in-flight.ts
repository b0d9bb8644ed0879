/**
 * Work started after ack() that Bolt does not know about. On shutdown we wait for it, bounded; whatever is still
 * running then is interrupted, and each piece tells its own requester what was and was not done, so nothing
 * acknowledged ends without a message.
 */
export class InFlight {
  private readonly running = new Map<Promise<unknown>, (() => Promise<void>) | undefined>();

  get size(): number {
    return this.running.size;
  }

  /** `interrupt` tells the requester the work was cut short (and how to finish it); called only at shutdown. */
  track<T>(work: Promise<T>, interrupt?: () => Promise<void>): Promise<T> {
    this.running.set(work, interrupt);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves true when everything finished, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running.keys()]);
      return true as const;
    })();
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs every unfinished piece's interrupt, in parallel, for at most `timeoutMs`; returns how many were told. */
  async interruptAll(timeoutMs: number): Promise<number> {
    const interrupts = [...this.running.values()].filter((i): i is () => Promise<void> => i !== undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(interrupts.map((i) => i())),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    return interrupts.length;
  }
}
