import { type AuditContext, type MarkReadDeps, type MarkReadOutcome, markRead } from './mark-read.js';
import type { MarkReadRequest } from './mark-read-request.js';
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
  audit: AuditContext;
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

/** Pairs of one user, at most this many, share one count query before and one after. */
const BATCH = 10;
/** Batches in flight at once: enough to keep the mark-read pacer busy at 200/s with room for the count calls. */
const PARALLEL_BATCHES = 8;
const EXAMPLES_PER_GROUP = 5;

/** Marks one pair read, with its unread count before and after. */
export async function markReadWithProof(
  deps: RunDeps,
  request: MarkReadRequest,
  audit: AuditContext,
  signal?: AbortSignal,
): Promise<PairResult> {
  const [result] = await markBatch(deps, [request], audit, signal);
  return result as PairResult;
}

/** The share of TIM_DEADLINE_MS a proof count may take (each of before and after), and its attempts. */
const COUNT_SHARE = 0.2;
const COUNT_MAX_MS = 3_000;
const COUNT_ATTEMPTS = 2;

/**
 * TIM_DEADLINE_MS bounds the whole operation a person waits for, counts included: the count before the mark gets
 * a small share (at most one retry), the mark the rest, the count after what is left within its share. A count
 * that cannot be sent in time is skipped and said so ("not read: count API busy"); the mark never waits for it.
 */
async function markBatch(
  deps: RunDeps,
  batch: MarkReadRequest[],
  audit: AuditContext,
  signal?: AbortSignal,
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
  });
  const outcomes = await Promise.all(batch.map((request) => markRead(deps, request, audit, signal, { deadlineAt })));
  const marked = outcomes.filter((o) => o.status === 'ok').map((o) => o.request.peer);
  const afterLimits = { deadlineAt: Math.min(deadlineAt, performance.now() + countMs), maxAttempts: COUNT_ATTEMPTS };
  // When the count budget is short, a proof is only worth its second count if it has its first: a pair whose
  // "before" was skipped leaves its "after" slot to a pair that can show before → after in full.
  const proven = marked.filter((peer) => !isBusy(before.get(peer)));
  const after =
    proven.length > 0
      ? await readUnreadCounts(deps.client, user, proven, signal, afterLimits)
      : new Map<string, UnreadCount>();
  for (const peer of marked) if (!proven.includes(peer)) after.set(peer, before.get(peer) as UnreadCount);
  return outcomes.map((outcome) => ({
    outcome,
    before: before.get(outcome.request.peer) ?? { known: false, reason: 'not read' },
    after: after.get(outcome.request.peer) ?? {
      known: false,
      reason: outcome.status === 'ok' ? 'not read' : 'not marked',
    },
  }));
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
/** A run that has done nothing yet. */
export function emptySummary(): RunSummary {
  return {
    done: 0,
    ok: 0,
    failed: 0,
    stopped: false,
    failures: [],
    unreadBefore: null,
    unreadAfter: null,
    countsUnknown: 0,
    durationMs: 0,
  };
}

export async function runMarkRead(
  deps: RunDeps,
  pairs: AsyncIterable<MarkReadRequest> | Iterable<MarkReadRequest>,
  options: RunOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const resumed = options.resume;
  const summary: RunSummary = resumed ? { ...resumed.summary, stopped: false } : emptySummary();
  const earlierMs = resumed?.summary.durationMs ?? 0;
  const groups = new Map<string, FailureGroup>((resumed?.summary.failures ?? []).map((g) => [g.key, { ...g }]));
  const record = (result: PairResult) => {
    const { outcome } = result;
    summary.done++;
    if (outcome.status === 'ok') {
      summary.ok++;
      if (result.before.known && result.after.known) {
        summary.unreadBefore = (summary.unreadBefore ?? 0) + result.before.count;
        summary.unreadAfter = (summary.unreadAfter ?? 0) + result.after.count;
      } else summary.countsUnknown++;
    } else {
      summary.failed++;
      const key = outcome.errorCode !== undefined ? `ErrorCode ${outcome.errorCode}` : 'no answer';
      let group = groups.get(key);
      if (!group) {
        group = { key, meaning: outcome.meaning, action: outcome.action, count: 0, examples: [] };
        groups.set(key, group);
      }
      group.count++;
      if (group.examples.length < EXAMPLES_PER_GROUP)
        group.examples.push(`${outcome.request.user} ↔ ${outcome.request.peer}`);
    }
    options.onPair?.(result);
  };
  const snapshot = (): RunSummary => ({
    ...summary,
    failures: [...groups.values()],
    durationMs: earlierMs + Math.round(performance.now() - started),
  });

  // Batches finish out of order; their results are counted in source order, so the summary always covers exactly
  // the pairs before `position`. A batch with a pair a stop kept from being sent ends the count there: that pair
  // and everything after it are not done, and a resumed run does them.
  let position = resumed?.position ?? 0;
  let nextSeq = 0;
  let flushSeq = 0;
  let halted = false;
  const finished = new Map<number, PairResult[]>();
  const flush = () => {
    let advanced = false;
    for (let results = finished.get(flushSeq); results !== undefined && !halted; results = finished.get(flushSeq)) {
      finished.delete(flushSeq++);
      for (const result of results) {
        const { outcome } = result;
        if (outcome.status === 'unreachable' && outcome.attempts === 0 && options.signal?.aborted) {
          halted = true; // never sent: not done
          break;
        }
        record(result);
        position++;
        advanced = true;
      }
    }
    if (advanced) options.onProgress?.(snapshot(), position);
  };

  const running = new Set<Promise<void>>();
  let batch: MarkReadRequest[] = [];
  const launch = async (pending: MarkReadRequest[]) => {
    const seq = nextSeq++;
    const work = markBatch(deps, pending, options.audit, options.signal).then((results) => {
      finished.set(seq, results);
      flush();
    });
    const tracked = work.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= PARALLEL_BATCHES) await Promise.race(running);
  };
  let skip = resumed?.position ?? 0;
  try {
    for await (const pair of pairs) {
      if (options.signal?.aborted) {
        summary.stopped = true;
        break;
      }
      // Resuming: these were done before (marking read is idempotent, but redoing them would be slow and count twice).
      if (skip > 0) {
        skip--;
        continue;
      }
      if (batch.length > 0 && (batch.length >= BATCH || (batch[0] as MarkReadRequest).user !== pair.user)) {
        await launch(batch);
        batch = [];
      }
      batch.push(pair);
    }
  } catch (error) {
    // The source (a conversation list being paged) failed: finish what was started and say why it ended early.
    summary.sourceError = (error as Error).message;
    summary.stopped = true;
  }
  if (batch.length > 0 && !options.signal?.aborted) await launch(batch);
  await Promise.all(running);
  if (options.signal?.aborted || halted) summary.stopped = true;
  return snapshot();
}
