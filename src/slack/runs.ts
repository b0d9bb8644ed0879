import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { SlackRequestContext } from './context.js';

/**
 * awaiting: an --all counted, waiting for its requester's Confirm. running: marking. stopping: Stop was pressed
 * (or markread is shutting down) and the run is finishing what it sent. finished / cancelled: over.
 */
export type RunState = 'awaiting' | 'running' | 'stopping' | 'finished' | 'cancelled';

/** A bulk run a button can act on. Plain data, so a shared store can keep it. */
export interface RunRecord {
  id: string;
  ctx: SlackRequestContext;
  user: string;
  /** The peers of a many-peer run; absent for --all, whose peers come from the conversation list. */
  peers?: string[];
  readTime: number | undefined;
  total: number;
  /** After marking read, clear the conversations' "marked unread" marks too (--clear-marks, or a check's Fix it). */
  clearMarks?: boolean;
  state: RunState;
  /** Why it was stopped, in mrkdwn: "stopped by @someone", or a shutdown. */
  stopReason?: string;
  expiresAt: number;
}

/** The state (or any of the states) a transition may start from. */
export type FromStates = RunState | readonly RunState[];

export type TransitionResult =
  | { ok: true; run: RunRecord }
  | { ok: false; reason: 'missing' | 'wrong-state' | 'not-requester'; run?: RunRecord };

export interface TransitionOptions {
  /** Who is acting: refused unless it is the run's requester. */
  by?: string;
  stopReason?: string;
}

/**
 * Where bulk runs live. Every change of state is one atomic `transition`: the check of the current state and
 * the move to the next happen together, so a double click, two people, or (with a shared store) two replicas
 * can never start a run twice or stop it twice: exactly one caller gets `ok: true`.
 */
export interface RunStore {
  create(fields: Omit<RunRecord, 'id' | 'expiresAt'>): Promise<RunRecord>;
  /**
   * Puts back a run the store lost (a Redis restarted without its data) while a replica is still working on it,
   * so its Stop button works again. Does nothing if the run is there.
   */
  restore(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  transition(id: string, from: FromStates, to: RunState, options?: TransitionOptions): Promise<TransitionResult>;
}

/** An unconfirmed --all is forgotten after this long; its buttons then say they are stale. */
export const CONFIRM_TTL_MS = 15 * 60_000;
/**
 * A finished run is remembered this long, so a late Stop says "already finished" rather than "stale"; a shared
 * store also keeps a running run this long after its last change, renewed as it goes.
 */
export const FINISHED_TTL_MS = 60 * 60_000;

/**
 * Runs in this process's memory. Honest limit: not shared between replicas, and gone on restart — a button
 * from before a restart finds nothing and is answered as stale.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, RunRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  async create(fields: Omit<RunRecord, 'id' | 'expiresAt'>): Promise<RunRecord> {
    this.sweep();
    const run: RunRecord = { ...fields, id: randomUUID(), expiresAt: this.now() + CONFIRM_TTL_MS };
    this.runs.set(run.id, run);
    return { ...run };
  }

  async restore(run: RunRecord): Promise<void> {
    if (!this.runs.has(run.id)) this.runs.set(run.id, { ...run });
  }

  async get(id: string): Promise<RunRecord | undefined> {
    this.sweep();
    const run = this.runs.get(id);
    return run && { ...run };
  }

  async transition(
    id: string,
    from: FromStates,
    to: RunState,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    // No await between the check and the change: this is what makes it atomic within one process.
    this.sweep();
    const run = this.runs.get(id);
    if (!run) return { ok: false, reason: 'missing' };
    if (options.by !== undefined && options.by !== run.ctx.requester)
      return { ok: false, reason: 'not-requester', run: { ...run } };
    if (!(typeof from === 'string' ? [from] : from).includes(run.state))
      return { ok: false, reason: 'wrong-state', run: { ...run } };
    run.state = to;
    if (options.stopReason !== undefined) run.stopReason = options.stopReason;
    if (to === 'finished' || to === 'cancelled') run.expiresAt = this.now() + FINISHED_TTL_MS;
    return { ok: true, run: { ...run } };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, run] of this.runs)
      if ((run.state === 'awaiting' || run.state === 'finished' || run.state === 'cancelled') && run.expiresAt < now)
        this.runs.delete(id);
  }
}

/** The runs this process is working on, each with the controller that stops it. Never shared: signals are local. */
export class LocalRuns {
  private readonly controllers = new Map<string, AbortController>();

  start(id: string): AbortController {
    const controller = new AbortController();
    // Every call of the run in flight listens on this signal (a hundred or so at full pace): not a leak.
    setMaxListeners(1_000, controller.signal);
    this.controllers.set(id, controller);
    return controller;
  }

  abort(id: string): boolean {
    const controller = this.controllers.get(id);
    controller?.abort();
    return controller !== undefined;
  }

  end(id: string): void {
    this.controllers.delete(id);
  }

  ids(): string[] {
    return [...this.controllers.keys()];
  }
}
