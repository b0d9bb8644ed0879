import { runMarkRead, type RunSummary } from '../domain/mark-read-run.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { ChannelThread } from './channel-thread.js';
import { auditOf, contextLogger, deliverPrivately, type SlackFlowDeps } from './mark-read-in-slack.js';
import { bulkParentMessage, progressMessage, summaryMessage } from './messages.js';
import type { LocalRuns, RunRecord, RunStore } from './runs.js';

/** Slack allows about one message per second per channel; progress is edited in place no more often than this. */
export const PROGRESS_EVERY_MS = 2_000;

type Pairs = Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>;

/**
 * A bulk run in Slack: one parent message and one thread reply for the whole run. Runs longer than a couple of
 * seconds show progress in that reply (edited in place, with a Stop button); it ends as the summary.
 */
export async function bulkInSlack(
  deps: SlackFlowDeps,
  runs: { store: RunStore; local: LocalRuns },
  run: RunRecord,
  /** The pairs, or a function that makes them given the run's stop signal (an --all pages as it goes). */
  pairs: Pairs | ((signal: AbortSignal) => Pairs),
  scope: string,
  rerun: string,
): Promise<void> {
  const { ctx } = run;
  const log = contextLogger(deps, ctx).child({ runId: run.id });
  const thread = new ChannelThread(deps.web, ctx.channelId, log);
  const controller = runs.local.start(run.id);
  await thread.postParent(bulkParentMessage(ctx.requester, scope, 'working'));

  let replyTs: string | undefined;
  let lastShown = performance.now();
  let showing: Promise<void> | undefined;
  const showProgress = (summary: RunSummary) => {
    if (showing || thread.parentTs === undefined || performance.now() - lastShown < PROGRESS_EVERY_MS || controller.signal.aborted) return;
    lastShown = performance.now();
    const message = progressMessage(run.id, summary, run.total);
    showing = (replyTs === undefined ? thread.reply(message).then((ts) => void (replyTs = ts)) : thread.update(message, replyTs).then(() => undefined)).finally(() => {
      showing = undefined;
    });
  };

  let summary: RunSummary;
  let stopReason: string | undefined;
  try {
    summary = await runMarkRead(deps.im, typeof pairs === 'function' ? pairs(controller.signal) : pairs, { audit: auditOf(ctx), signal: controller.signal, onProgress: showProgress });
  } finally {
    runs.local.end(run.id);
    const ended = await runs.store.transition(run.id, ['running', 'stopping'], 'finished');
    stopReason = ended.run?.stopReason;
  }
  await showing;
  const message = summaryMessage(summary, run.total, rerun, stopReason);
  const delivered = replyTs !== undefined ? await thread.update(message, replyTs) : (await thread.reply(message)) !== undefined;
  if (delivered) {
    await thread.update(bulkParentMessage(ctx.requester, scope, summary.failed > 0 || summary.stopped ? 'failed' : 'ok'));
    return;
  }
  await deliverPrivately(deps, ctx, log, message, thread.error, { runId: run.id, ok: summary.ok, failed: summary.failed, done: summary.done });
}
