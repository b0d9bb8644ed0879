import type { MarkReadOutcome } from './mark-read.js';
import type { FailureGroup, PairResult, RunSummary } from './mark-read-run.js';

const EXAMPLES_PER_GROUP = 5;

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

/**
 * The running count of a run, pair by pair: outcomes, failures grouped by cause with a few examples, and the
 * unread sums. A sum covers only pairs whose counts are known before and after; the rest are counted as unknown,
 * never added as zeros. Resumed from a checkpoint's summary, it counts on from there, its time included.
 */
export class RunTally {
  private readonly summary: RunSummary;
  private readonly groups: Map<string, FailureGroup>;
  private readonly started = performance.now();
  private readonly earlierMs: number;

  constructor(resumed?: RunSummary) {
    this.summary = resumed ? { ...resumed, stopped: false } : emptySummary();
    this.earlierMs = resumed?.durationMs ?? 0;
    this.groups = new Map((resumed?.failures ?? []).map((g) => [g.key, { ...g }]));
  }

  record({ outcome, before, after }: PairResult): void {
    const { summary } = this;
    summary.done++;
    if (outcome.status !== 'ok') {
      summary.failed++;
      this.recordFailure(outcome);
    } else {
      summary.ok++;
      if (before.known && after.known) {
        summary.unreadBefore = (summary.unreadBefore ?? 0) + before.count;
        summary.unreadAfter = (summary.unreadAfter ?? 0) + after.count;
      } else summary.countsUnknown++;
    }
  }

  private recordFailure(outcome: MarkReadOutcome): void {
    const key = outcome.errorCode !== undefined ? `ErrorCode ${outcome.errorCode}` : 'no answer';
    let group = this.groups.get(key);
    if (!group) {
      group = { key, meaning: outcome.meaning, action: outcome.action, count: 0, examples: [] };
      this.groups.set(key, group);
    }
    group.count++;
    if (group.examples.length < EXAMPLES_PER_GROUP)
      group.examples.push(`${outcome.request.user} ↔ ${outcome.request.peer}`);
  }

  /** The run ended before every pair was tried; `sourceError` says why the list of pairs could not be read. */
  stop(sourceError?: string): void {
    this.summary.stopped = true;
    if (sourceError !== undefined) this.summary.sourceError = sourceError;
  }

  snapshot(): RunSummary {
    return {
      ...this.summary,
      failures: [...this.groups.values()],
      durationMs: this.earlierMs + Math.round(performance.now() - this.started),
    };
  }
}
