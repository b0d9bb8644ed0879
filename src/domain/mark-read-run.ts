import { type AuditScope, recordIn } from '../audit/scope.js';
import { type MarkReadDeps, type MarkReadOutcome, markRead } from './mark-read.js';
import type { MarkReadRequest } from './mark-read-request.js';
import { Batcher, BatchPool, InSourceOrder } from './run-batches.js';
import { RunTally } from './run-tally.js';
import { COUNT_BUSY, readUnreadCounts, type UnreadCount } from './unread-counts.js';

/** One pair's result with its proof: the unread count before and after. */
export interface PairResult {
  outcome: MarkReadOutcome;
  before: UnreadCount;
  after: UnreadCount;
}

export interface FailureGroup {
  /** ErrorCode, or the kind of transport failure. */
  key: string;
  meaning: string;
  action: string | undefined;
  count: number;
  /** The first few pairs that failed this way, as "user ↔ peer". */
  examples: string[];
}

export interface RunSummary {
  done: number;
  ok: number;
  failed: number;
  /** The run was stopped before every pair was tried. */
  stopped: boolean;
  failures: FailureGroup[];
  /** Sums over the pairs whose counts are known both before and after; null while no such pair exists. */
  unreadBefore: number | null;
  unreadAfter: number | null;
  countsUnknown: number;
  durationMs: number;
  /** Why the list of pairs could not be read to the end, if it could not. */
  sourceError?: string;
}

export interface RunOptions {
  /** Who asked, and where the audit events go; each pair is recorded with the run's id. */
  audit: AuditScope;
  signal?: AbortSignal;
  onPair?: (result: PairResult) => void;
  /**
   * Called as batches finish, in order, with the summary of the first `position` pairs of the source: everything
   * before `position` is done and counted, nothing after it is. A checkpoint of the two resumes the run exactly.
   */
  onProgress?: (summary: RunSummary, position: number) => void;
  /** Continue a run from a checkpoint: skip the first `position` pairs and count on from `summary`. */
  resume?: RunCheckpoint;
}

/** Where a run had got to: the first `position` pairs of its source are done, with this summary. */
export interface RunCheckpoint {
  position: number;
  summary: RunSummary;
}

/** The IM app a run acts on. */
export type RunDeps = MarkReadDeps;

/** Marks one pair read, with its unread count before and after. */
export async function markReadWithProof(
  deps: RunDeps,
  request: MarkReadRequest,
  audit: AuditScope,
  signal?: AbortSignal,
): Promise<PairResult> {
  const [result] = await markBatch(deps, [request], audit, signal, COUNT_SLOT_WAIT_MS);
  return result as PairResult;
}

/** The share of TIM_DEADLINE_MS a proof count may take (each of before and after), and its attempts. */
const COUNT_SHARE = 0.2;
const COUNT_MAX_MS = 3_000;
const COUNT_ATTEMPTS = 2;
/**
 * The longest a single mark's proof count waits for a send slot. When more commands come than the count API's
 * 200/s can serve twice each (167 commands/s need 334 counts/s), counts queued for seconds would hold each job,
 * and its memory, that long for a figure that is proof only: past this wait the count is skipped and said so
 * ("count API busy"), and the mark goes ahead at once. Below the budget the wait is a few milliseconds and nothing
 * is skipped. A bulk run needs one count per ten pairs and keeps its share of the deadline instead: there a
 * skipped count would let later batches' marks overtake earlier ones.
 */
const COUNT_SLOT_WAIT_MS = 250;

/**
 * TIM_DEADLINE_MS bounds the whole operation a person waits for, counts included: the count before the mark gets
 * a small share (at most one retry), the mark the rest, the count after what is left within its share. A count
 * that cannot be sent in time is skipped and said so ("not read: count API busy"); the mark never waits for it.
 */
async function markBatch(
  deps: RunDeps,
  batch: MarkReadRequest[],
  audit: AuditScope,
  signal?: AbortSignal,
  slotWaitMs?: number,
): Promise<PairResult[]> {
  const user = (batch[0] as MarkReadRequest).user;
  const peers = batch.map((r) => r.peer);
  const started = performance.now();
  const deadlineAt = started + deps.client.deadlineMs;
  // A fifth of the deadline, but never less than a round trip can use (1 s, or half of a very short deadline).
  const countMs = Math.min(
    COUNT_MAX_MS,
    Math.max(deps.client.deadlineMs * COUNT_SHARE, Math.min(1_000, deps.client.deadlineMs / 2)),
  );
  const before = await readUnreadCounts(deps.client, user, peers, signal, {
    deadlineAt: started + countMs,
    maxAttempts: COUNT_ATTEMPTS,
    slotWaitMs,
  });
  const outcomes = await Promise.all(batch.map((request) => markRead(deps, request, signal, { deadlineAt })));
  const marked = outcomes.filter((o) => o.status === 'ok').map((o) => o.request.peer);
  const afterLimits = {
    deadlineAt: Math.min(deadlineAt, performance.now() + countMs),
    maxAttempts: COUNT_ATTEMPTS,
    slotWaitMs,
  };
  // When the count budget is short, a proof is only worth its second count if it has its first: a pair whose
  // "before" was skipped leaves its "after" slot to a pair that can show before → after in full.
  const proven = marked.filter((peer) => !isBusy(before.get(peer)));
  const after =
    proven.length > 0
      ? await readUnreadCounts(deps.client, user, proven, signal, afterLimits)
      : new Map<string, UnreadCount>();
  for (const peer of marked) if (!proven.includes(peer)) after.set(peer, before.get(peer) as UnreadCount);
  const results = outcomes.map((outcome) => ({
    outcome,
    before: before.get(outcome.request.peer) ?? { known: false, reason: 'not read' },
    after: after.get(outcome.request.peer) ?? {
      known: false,
      reason: outcome.status === 'ok' ? 'not read' : 'not marked',
    },
  }));
  for (const result of results) recordIn(audit, markEvent(result), deps);
  return results;
}

/** A pair's audit event: the API's own words, and the unread count before → after (null where not known). */
export function markEvent({ outcome, before, after }: PairResult) {
  const { request } = outcome;
  return {
    kind: 'mark' as const,
    target: { user: request.user, peers: [request.peer] },
    outcome: {
      status: outcome.status,
      ...(outcome.actionStatus !== undefined ? { actionStatus: outcome.actionStatus } : {}),
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
      ...(outcome.errorInfo !== undefined ? { errorInfo: outcome.errorInfo } : {}),
      unreadBefore: before.known ? before.count : null,
      unreadAfter: after.known ? after.count : null,
      ...(request.readTime !== undefined ? { detail: `read up to ${request.readTime}` } : {}),
    },
  };
}

function isBusy(count: UnreadCount | undefined): boolean {
  return count !== undefined && !count.known && count.reason.startsWith(COUNT_BUSY);
}

/**
 * Marks every pair `pairs` yields, pulling them as it goes so a list of tens of thousands never sits in memory:
 * consecutive pairs of one user are batched ten at a time for the count queries, several batches in flight so
 * the client's pacer, not this loop, sets the pace. Stops pulling when `signal` aborts; calls already waiting
 * for a send slot end as "stopped".
 */
export async function runMarkRead(
  deps: RunDeps,
  pairs: AsyncIterable<MarkReadRequest> | Iterable<MarkReadRequest>,
  options: RunOptions,
): Promise<RunSummary> {
  const tally = new RunTally(options.resume?.summary);
  const order = new InSourceOrder(
    options.resume?.position ?? 0,
    options.signal,
    (result) => {
      tally.record(result);
      options.onPair?.(result);
    },
    (position) => options.onProgress?.(tally.snapshot(), position),
  );
  const pool = new BatchPool();
  await pullBatches(pairs, options, tally, (batch) => {
    const seq = order.reserve();
    return pool.add(markBatch(deps, batch, options.audit, options.signal).then((r) => order.finish(seq, r)));
  });
  await pool.drain();
  if (options.signal?.aborted || order.halted) tally.stop();
  return tally.snapshot();
}

/**
 * Pulls the pairs into batches and launches each, until the pairs end, fail (the run stops, saying why) or
 * `signal` aborts. Resuming, the pairs a checkpoint covers are skipped. The last batch is launched unless stopped.
 */
async function pullBatches(
  pairs: AsyncIterable<MarkReadRequest> | Iterable<MarkReadRequest>,
  options: RunOptions,
  tally: RunTally,
  launch: (batch: MarkReadRequest[]) => Promise<void>,
): Promise<void> {
  const batcher = new Batcher();
  let skip = options.resume?.position ?? 0;
  try {
    for await (const pair of pairs) {
      if (options.signal?.aborted) {
        tally.stop();
        break;
      }
      // Resuming: these were done before (marking read is idempotent, but redoing them would be slow and count twice).
      if (skip > 0) {
        skip--;
        continue;
      }
      const full = batcher.add(pair);
      if (full) await launch(full);
    }
  } catch (error) {
    // The source (a conversation list being paged) failed: finish what was started and say why it ended early.
    tally.stop((error as Error).message);
  }
  const rest = batcher.rest();
  if (rest.length > 0 && !options.signal?.aborted) await launch(rest);
}

/** How a run ended, for its audit event: its counts, and unread before → after where known. */
export function runOutcome(summary: RunSummary) {
  return {
    status: summary.stopped ? 'stopped' : summary.failed > 0 ? 'failed' : 'ok',
    done: summary.done,
    ok: summary.ok,
    failed: summary.failed,
    unreadBefore: summary.unreadBefore,
    unreadAfter: summary.unreadAfter,
    ...(summary.sourceError !== undefined ? { detail: summary.sourceError } : {}),
  };
}
