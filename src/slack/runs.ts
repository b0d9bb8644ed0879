import { randomUUID } from 'node:crypto';
import type { SlackRequestContext } from './mark-read-in-slack.js';

/** A bulk run a button can act on: an --all waiting for confirmation, or a run in progress that Stop can end. */
export interface BulkRun {
  id: string;
  ctx: SlackRequestContext;
  user: string;
  readTime: number | undefined;
  total: number;
  state: 'awaiting' | 'running' | 'finished' | 'cancelled';
  controller: AbortController;
  /** Why it was stopped, in mrkdwn: "stopped by @someone", or a shutdown. */
  stopReason?: string;
  expiresAt: number;
}

/** An unconfirmed --all is forgotten after this long; its buttons then say they are stale. */
const CONFIRM_TTL_MS = 15 * 60_000;
/** A finished run is remembered this long, so a late Stop says "already finished" rather than "stale". */
const FINISHED_TTL_MS = 60 * 60_000;

/**
 * Runs by id, in memory: button values carry only the id, so a button from before a restart, or one used twice,
 * finds nothing (or a run in the wrong state) and is answered as stale.
 */
export class RunRegistry {
  private readonly runs = new Map<string, BulkRun>();

  create(ctx: SlackRequestContext, user: string, readTime: number | undefined, total: number, state: BulkRun['state']): BulkRun {
    this.sweep();
    const run: BulkRun = { id: randomUUID(), ctx, user, readTime, total, state, controller: new AbortController(), expiresAt: Date.now() + CONFIRM_TTL_MS };
    this.runs.set(run.id, run);
    return run;
  }

  get(id: string): BulkRun | undefined {
    this.sweep();
    return this.runs.get(id);
  }

  finish(run: BulkRun): void {
    run.state = 'finished';
    run.expiresAt = Date.now() + FINISHED_TTL_MS;
  }

  running(): BulkRun[] {
    return [...this.runs.values()].filter((run) => run.state === 'running');
  }

  get size(): number {
    return this.runs.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, run] of this.runs) if (run.state !== 'running' && run.expiresAt < now) this.runs.delete(id);
  }
}
