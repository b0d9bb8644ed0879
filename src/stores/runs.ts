import { randomUUID } from 'node:crypto';
import {
  actorOf,
  barredByDeadline,
  type DecisionKind,
  decisionOf,
  judge,
  RUN_TRANSITIONS,
  type RunRefusal,
  type RunState,
  type RunTransition,
  type StartState,
  WORKING,
} from './run-machine.js';

/**
 * Who asked for a run and where to answer them: plain data, so any surface can start a run and any store keep it
 * (the Slack code maps its request context to and from this).
 */
export interface RunOrigin {
  /** Who asked: the person the run machine's "requester" means. */
  requester: string;
  /** The workspace they asked from, for the audit line. */
  team?: string;
  /** Where the run's thread goes. */
  channel: string;
  /** Where to answer the requester privately. */
  replyUrl: string;
  /** How they asked ('command', 'modal', 'button', …), for the audit trail. */
  via: string;
  /** Why, in their words. */
  reason?: string;
  /** The IM app the run acts on, by name (absent in runs recorded before several apps: the default app). */
  app?: string;
}

/** A bulk run a button can act on. Plain data, so a shared store can keep it. */
export interface RunRecord {
  id: string;
  origin: RunOrigin;
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
  /** A run in `approval`: when (epoch ms) it expires if nobody has decided. */
  approvalDeadline?: number;
  /** How its approval was settled, recorded with the transition that settled it. */
  decision?: RunDecision;
  /** The approval request's message (in the origin's channel), so whoever settles it can update it. */
  approvalTs?: string;
  expiresAt: number;
}

/** Who settled a run's approval, how and when: what a late press is told. */
export interface RunDecision {
  kind: DecisionKind;
  /** The person; absent when markread itself decided (an expiry). */
  by?: string;
  /** The person's workspace, when the surface knows it: an audit line names them there (ids are per workspace). */
  team?: string;
  /** Epoch ms, by the store's clock. */
  at: number;
  /** A denial's reason, or why the requester broke the glass. */
  reason?: string;
}

/**
 * What a new run is made of; its id and expiry are the store's. A run that waits for approval has a deadline,
 * or nothing would ever expire it.
 */
export type NewRun = Omit<RunRecord, 'id' | 'expiresAt' | 'state' | 'stopReason' | 'decision' | 'approvalDeadline'> & {
  /** An id chosen before the run exists (an approval request's buttons are posted first); a new UUID otherwise. */
  id?: string;
} & (
    | { state: 'approval'; approvalDeadline: number }
    | { state: Exclude<StartState, 'approval'>; approvalDeadline?: undefined }
  );

export type TransitionResult = { ok: true; run: RunRecord } | { ok: false; reason: RunRefusal; run?: RunRecord };

export interface TransitionOptions {
  /** The person acting; undefined for markread itself. The run machine says whom each transition allows. */
  by?: string;
  /** The acting person's workspace, recorded with an approval's decision. */
  team?: string;
  stopReason?: string;
  /** Recorded with an approval's decision: a denial's reason, or why the requester broke the glass. */
  decisionReason?: string;
}

/**
 * Where bulk runs live. Every change of state is one atomic `transition`, checked against the run machine
 * (run-machine.ts): the check of who acts and of the current state, and the move to the next, happen together, so
 * a double click, two people, or (with a shared store) two replicas can never start a run twice or stop it twice:
 * exactly one caller gets `ok: true`.
 */
export interface RunStore {
  create(fields: NewRun): Promise<RunRecord>;
  /**
   * Puts back a run the store lost (a Redis restarted without its data) while a replica is still working on it,
   * so its Stop button works again. Does nothing if the run is there.
   */
  restore(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  transition(id: string, name: RunTransition, options?: TransitionOptions): Promise<TransitionResult>;
  /**
   * The runs still waiting for approval whose deadline is `now` or earlier, for a replica to `expire` (the
   * transition decides which replica: exactly one wins). Runs decided meanwhile are not returned.
   */
  dueApprovals(now: number): Promise<RunRecord[]>;
}

/** An unconfirmed run is forgotten after this long; its buttons then say they are stale. */
export const CONFIRM_TTL_MS = 15 * 60_000;
/**
 * A finished run is remembered this long, so a late Stop says "already finished" rather than "stale"; a shared
 * store also keeps a running run this long after its last change.
 */
export const FINISHED_TTL_MS = 60 * 60_000;

/** How long a store keeps a run after it entered `state`. */
export function keepMs(state: RunState): number {
  return state === 'awaiting' ? CONFIRM_TTL_MS : FINISHED_TTL_MS;
}

/**
 * Until when (epoch ms) a store keeps `run`, as of `now`. A run waiting for approval is kept past its deadline
 * for as long as an ended run, so a press that comes too late is told the run expired, not that it is stale;
 * once decided it is an ended run like any other.
 */
export function keepUntil(run: Pick<RunRecord, 'state' | 'approvalDeadline'>, now: number): number {
  if (run.state === 'approval' && run.approvalDeadline !== undefined)
    return Math.max(run.approvalDeadline, now) + FINISHED_TTL_MS;
  return now + keepMs(run.state);
}

/** A new run as a store first keeps it. Throws on a run in `approval` without a deadline (types can be cast). */
export function newRunRecord(fields: NewRun, now: number): RunRecord {
  if (fields.state === 'approval' && !Number.isFinite(fields.approvalDeadline))
    throw new Error('a run waiting for approval needs an approvalDeadline');
  const run: RunRecord = { ...fields, id: fields.id ?? randomUUID(), expiresAt: 0 };
  if (run.approvalDeadline === undefined) delete run.approvalDeadline;
  run.expiresAt = keepUntil(run, now);
  return run;
}

/** What transition `name` records as its decision at `at`, or undefined if it settles no approval. */
export function decisionFor(name: RunTransition, options: TransitionOptions, at: number): RunDecision | undefined {
  const kind = decisionOf(name);
  if (kind === undefined) return undefined;
  const decision: RunDecision = { kind, at };
  if (options.by !== undefined) decision.by = options.by;
  if (options.team !== undefined) decision.team = options.team;
  if (options.decisionReason) decision.reason = options.decisionReason;
  return decision;
}

/**
 * Why `by` may not make transition `name` on `run` now, by the run machine's table; undefined if they may. The
 * approval deadline is not checked here: see `pastDeadline`, which a store checks after this, in the same step.
 */
export function refusalOf(name: RunTransition, by: string | undefined, run: RunRecord): RunRefusal | undefined {
  return judge(name, actorOf(by, run.origin.requester), run.state);
}

/**
 * Runs in this process's memory: the default without Redis. What it cannot do: it is not shared between replicas
 * (a button handled by another replica finds nothing), and it is gone on restart (a button from before a restart
 * is answered as stale). Unconfirmed and ended runs are swept once their time is up; runs this process is
 * working on stay until they end.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, RunRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  async create(fields: NewRun): Promise<RunRecord> {
    this.sweep();
    const run = newRunRecord(fields, this.now());
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

  async transition(id: string, name: RunTransition, options: TransitionOptions = {}): Promise<TransitionResult> {
    // No await between the check and the change: this is what makes it atomic within one process.
    this.sweep();
    const run = this.runs.get(id);
    if (!run) return { ok: false, reason: 'missing' };
    const now = this.now();
    const refusal = refusalOf(name, options.by, run) ?? (pastDeadline(name, run, now) ? 'expired' : undefined);
    if (refusal) return { ok: false, reason: refusal, run: { ...run } };
    const { to } = RUN_TRANSITIONS[name];
    run.state = to;
    if (options.stopReason !== undefined) run.stopReason = options.stopReason;
    const decision = decisionFor(name, options, now);
    if (decision) run.decision = decision;
    run.expiresAt = keepUntil(run, now);
    return { ok: true, run: { ...run } };
  }

  async dueApprovals(now: number): Promise<RunRecord[]> {
    this.sweep();
    const due = [...this.runs.values()].filter((run) => isDue(run, now));
    return due.map((run) => ({ ...run }));
  }

  // An approval run is not swept before its deadline: its expiresAt is past it (keepUntil).
  private sweep(): void {
    const now = this.now();
    for (const [id, run] of this.runs) if (!WORKING.includes(run.state) && run.expiresAt < now) this.runs.delete(id);
  }
}

/**
 * Whether transition `name` comes too late for `run` at `now`: a person's answer to an approval whose deadline has
 * come (the same moment `dueApprovals` starts returning it). A store asks this only once the table allows the
 * transition, so a press on a run already decided is still told `wrong-state` and who decided.
 */
export function pastDeadline(name: RunTransition, run: RunRecord, now: number): boolean {
  return barredByDeadline(name) && isDue(run, now);
}

/** Whether `run` still waits for approval and its deadline has come by `now`. */
export function isDue(run: RunRecord, now: number): boolean {
  return run.state === 'approval' && run.approvalDeadline !== undefined && run.approvalDeadline <= now;
}
