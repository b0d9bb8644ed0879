import type { MarkReadRequest } from './mark-read-request.js';
import type { PairResult } from './mark-read-run.js';

/** Pairs of one user, at most this many, share one count query before and one after. */
const BATCH = 10;
/** Batches in flight at once: enough to keep the mark-read pacer busy at 200/s with room for the count calls. */
const PARALLEL_BATCHES = 8;

/** Groups consecutive pairs of one user, BATCH at a time, for the count queries they share. */
export class Batcher {
  private batch: MarkReadRequest[] = [];

  /** Adds `pair`; returns the batch it closed, if it closed one (full, or `pair` is another user's). */
  add(pair: MarkReadRequest): MarkReadRequest[] | undefined {
    let closed: MarkReadRequest[] | undefined;
    if (
      this.batch.length > 0 &&
      (this.batch.length >= BATCH || (this.batch[0] as MarkReadRequest).user !== pair.user)
    ) {
      closed = this.batch;
      this.batch = [];
    }
    this.batch.push(pair);
    return closed;
  }

  /** The batch still open when the pairs end. */
  rest(): MarkReadRequest[] {
    return this.batch;
  }
}

/** Keeps up to PARALLEL_BATCHES batches in flight, so the client's pacer, not the loop that feeds it, sets the pace. */
export class BatchPool {
  private readonly running = new Set<Promise<void>>();

  /** Tracks `work`; when the pool is full, waits until one batch finishes. */
  async add(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    if (this.running.size >= PARALLEL_BATCHES) await Promise.race(this.running);
  }

  drain(): Promise<unknown> {
    return Promise.all(this.running);
  }
}

/**
 * Batches finish out of order; their results are passed on in source order, so a count always covers exactly the
 * pairs before `position`. A batch with a pair a stop kept from being sent ends it there (`halted`): that pair and
 * everything after it are not done, and a resumed run does them.
 */
export class InSourceOrder {
  position: number;
  halted = false;
  private nextSeq = 0;
  private flushSeq = 0;
  private readonly finished = new Map<number, PairResult[]>();

  constructor(
    start: number,
    private readonly signal: AbortSignal | undefined,
    /** Each result, in source order. */
    private readonly onResult: (result: PairResult) => void,
    /** After results were passed on, with the position reached. */
    private readonly onAdvance: (position: number) => void,
  ) {
    this.position = start;
  }

  /** The place of the next batch launched, for `finish`. */
  reserve(): number {
    return this.nextSeq++;
  }

  /** The results of batch `seq`: passed on now if every batch before it was, else kept until then. */
  finish(seq: number, results: PairResult[]): void {
    this.finished.set(seq, results);
    let advanced = false;
    for (
      let next = this.finished.get(this.flushSeq);
      next !== undefined && !this.halted;
      next = this.finished.get(this.flushSeq)
    ) {
      this.finished.delete(this.flushSeq++);
      if (this.passOn(next)) advanced = true;
    }
    if (advanced) this.onAdvance(this.position);
  }

  private passOn(results: PairResult[]): boolean {
    let advanced = false;
    for (const result of results) {
      const { outcome } = result;
      if (outcome.status === 'unreachable' && outcome.attempts === 0 && this.signal?.aborted) {
        this.halted = true; // never sent: not done
        break;
      }
      this.onResult(result);
      this.position++;
      advanced = true;
    }
    return advanced;
  }
}
