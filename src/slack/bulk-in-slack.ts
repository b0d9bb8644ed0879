import { runMarkRead, type RunSummary } from '../domain/mark-read-run.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { ChannelThread } from './channel-thread.js';
import { auditOf, contextLogger, deliverPrivately, type SlackFlowDeps } from './mark-read-in-slack.js';
import { bulkParentMessage, progressMessage, summaryMessage } from './messages.js';
import type { BulkRun, RunRegistry } from './runs.js';

/** Slack allows about one message per second per channel; progress is edited in place no more often than this. */
export const PROGRESS_EVERY_MS = 2_000;

/**
 * A bulk run in Slack: one parent message and one thread reply for the whole run. Runs longer than a couple of
 * seconds show progress in that reply (edited in place, with a Stop button); it ends as the summary.
 */
export async function bulkInSlack(
  deps: SlackFlowDeps,
  registry: RunRegistry,
  run: BulkRun,
  pairs: Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>,
  scope: string,
  rerun: string,
): Promise<void> {
  const { ctx } = run;
  const log = contextLogger(deps, ctx).child({ runId: run.id });
  const thread = new ChannelThread(deps.web, ctx.channelId, log);
  await thread.postParent(bulkParentMessage(ctx.requester, scope, 'working'));

  let replyTs: string | undefined;
  let lastShown = performance.now();
  let showing: Promise<void> | undefined;
  const showProgress = (summary: RunSummary) => {
    if (showing || thread.parentTs === undefined || performance.now() - lastShown < PROGRESS_EVERY_MS || run.controller.signal.aborted) return;
    lastShown = performance.now();
    const message = progressMessage(run.id, summary, run.total);
    showing = (replyTs === undefined ? thread.reply(message).then((ts) => void (replyTs = ts)) : thread.update(message, replyTs).then(() => undefined)).finally(() => {
      showing = undefined;
    });
  };

  let summary: RunSummary;
  try {
    summary = await runMarkRead(deps.im, pairs, { audit: auditOf(ctx), signal: run.controller.signal, onProgress: showProgress });
  } finally {
    registry.finish(run);
  }
  await showing;
  const message = summaryMessage(summary, run.total, rerun, run.stopReason);
  const delivered = replyTs !== undefined ? await thread.update(message, replyTs) : (await thread.reply(message)) !== undefined;
  if (delivered) {
    await thread.update(bulkParentMessage(ctx.requester, scope, summary.failed > 0 || summary.stopped ? 'failed' : 'ok'));
    return;
  }
  await deliverPrivately(ctx, log, message, thread.error, { runId: run.id, ok: summary.ok, failed: summary.failed, done: summary.done });
}
