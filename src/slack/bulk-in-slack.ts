import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { type PairResult, type RunSummary, runMarkRead } from '../domain/mark-read-run.js';
import { ChannelThread } from './channel-thread.js';
import { auditOf, contextLogger, deliverPrivately, type SlackFlowDeps } from './mark-read-in-slack.js';
import { bulkParentMessage, LIST_PAIRS_UP_TO, plainMessage, progressMessage, summaryMessage } from './messages.js';
import { code } from './mrkdwn.js';
import type { LocalRuns, RunRecord, RunStore } from './runs.js';

/** Slack allows about one message per second per channel; progress is edited in place no more often than this. */
export const PROGRESS_EVERY_MS = 2_000;

type Pairs = Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>;

/**
 * A bulk run in Slack: one parent message and one thread reply for the whole run. Runs longer than a couple of
 * seconds show progress in that reply (edited in place, with a Stop button); it ends as the summary.
 */
/** What a bulk run has shown so far, for the message it leaves if a shutdown cuts it short. */
interface BulkJobState {
  thread?: ChannelThread;
  replyTs?: string;
  latest?: RunSummary;
}

/** A bulk run and, beside it, what to tell the requester if a shutdown cuts it short. */
export function startBulkInSlack(
  deps: SlackFlowDeps,
  runs: Parameters<typeof bulkInSlack>[1],
  run: RunRecord,
  pairs: Parameters<typeof bulkInSlack>[3],
  scope: string,
  rerun: string,
): { done: Promise<void>; interrupt: () => Promise<void> } {
  const state: BulkJobState = {};
  const done = bulkInSlack(deps, runs, run, pairs, scope, rerun, state);
  const interrupt = async () => {
    const s = state.latest;
    const done = s
      ? `${s.done.toLocaleString('en-US')} of ${run.total.toLocaleString('en-US')} were done (${s.ok} OK, ${s.failed} failed)`
      : 'none were done';
    const message = plainMessage(
      `:warning: *Interrupted*: markread was shutting down before this run finished; ${done}, and calls in flight got no answer. Marking read is safe to repeat: run ${code(rerun)} again to finish.`,
    );
    deps.logger.warn(
      { audit: 'interrupted', ...auditOf(run.ctx), runId: run.id, done: s?.done ?? 0, total: run.total },
      'bulk run interrupted by shutdown; the requester was told',
    );
    const shown =
      state.replyTs !== undefined
        ? await state.thread?.update(message, state.replyTs)
        : (await state.thread?.reply(message)) !== undefined;
    if (!shown) await deps.respond(run.ctx.responseUrl, message);
  };
  return { done, interrupt };
}

export async function bulkInSlack(
  deps: SlackFlowDeps,
  runs: { store: RunStore; local: LocalRuns },
  run: RunRecord,
  /** The pairs, or a function that makes them given the run's stop signal (an --all pages as it goes). */
  pairs: Pairs | ((signal: AbortSignal) => Pairs),
  scope: string,
  rerun: string,
  job: BulkJobState = {},
): Promise<void> {
  const { ctx } = run;
  const log = contextLogger(deps, ctx).child({ runId: run.id });
  const thread = new ChannelThread(deps.web, ctx.channelId, log);
  job.thread = thread;
  const controller = runs.local.start(run.id);
  await thread.postParent(bulkParentMessage(ctx.requester, scope, 'working'));

  let replyTs: string | undefined;
  let lastShown = performance.now();
  let showing: Promise<void> | undefined;
  const showProgress = (summary: RunSummary) => {
    job.latest = summary;
    if (
      showing ||
      thread.parentTs === undefined ||
      performance.now() - lastShown < PROGRESS_EVERY_MS ||
      controller.signal.aborted
    )
      return;
    lastShown = performance.now();
    const message = progressMessage(run.id, summary, run.total);
    showing = (
      replyTs === undefined
        ? thread.reply(message).then((ts) => {
            replyTs = ts;
            job.replyTs = ts;
          })
        : thread.update(message, replyTs).then(() => undefined)
    ).finally(() => {
      showing = undefined;
    });
  };

  const results: PairResult[] = [];
  let summary: RunSummary;
  let stopReason: string | undefined;
  try {
    summary = await runMarkRead(deps.im, typeof pairs === 'function' ? pairs(controller.signal) : pairs, {
      audit: auditOf(ctx),
      signal: controller.signal,
      onProgress: showProgress,
      // Kept only for a run small enough to list its pairs.
      onPair: (result) => void (run.total <= LIST_PAIRS_UP_TO && results.push(result)),
    });
  } finally {
    runs.local.end(run.id);
    const ended = await runs.store.transition(run.id, ['running', 'stopping'], 'finished');
    stopReason = ended.run?.stopReason;
  }
  await showing;
  const message = summaryMessage(summary, run.total, rerun, stopReason, results);
  const delivered =
    replyTs !== undefined ? await thread.update(message, replyTs) : (await thread.reply(message)) !== undefined;
  if (delivered) {
    await thread.update(
      bulkParentMessage(ctx.requester, scope, summary.failed > 0 || summary.stopped ? 'failed' : 'ok'),
    );
    return;
  }
  await deliverPrivately(deps, ctx, log, message, thread.error, {
    runId: run.id,
    ok: summary.ok,
    failed: summary.failed,
    done: summary.done,
  });
}
