import { clearUnreadMarks } from '../domain/conversation-marks.js';
import { oneToOnePeers } from '../domain/conversations.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { type PairResult, type RunCheckpoint, type RunSummary, runMarkRead } from '../domain/mark-read-run.js';
import { LetGo } from '../work/journal.js';
import { marksLine } from './blocks/check.js';
import { plainMessage, withLine } from './blocks/message.js';
import { code, escapeMrkdwn } from './blocks/mrkdwn.js';
import { bulkParentMessage, LIST_PAIRS_UP_TO, progressMessage, summaryMessage } from './blocks/run.js';
import { auditOf, contextLogger } from './context.js';
import { deliverPrivately, type SlackFlowDeps, tellInThread } from './mark-read-in-slack.js';
import type { LocalRuns, RunRecord, RunStore } from './runs.js';
import { ChannelThread } from './transport/channel-thread.js';

/** Slack allows about one message per second per channel; progress is edited in place no more often than this. */
export const PROGRESS_EVERY_MS = 2_000;
/** How often a run saves where it is, and looks whether Stop was pressed on another replica. */
const CHECKPOINT_EVERY_MS = 1_000;

type Pairs = Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>;

/** Where a bulk run is, saved as it goes: whoever continues it (after a crash) picks up from here. */
export interface BulkCheckpoint extends Partial<RunCheckpoint> {
  parentTs?: string;
  replyTs?: string;
}

/** What a bulk run has shown so far, for the message it leaves if a shutdown cuts it short. */
interface BulkJobState {
  thread?: ChannelThread;
  replyTs?: string;
  latest?: RunSummary;
}

/** What a bulk run is: its record, its pairs, and the words for it. */
export interface BulkRunSpec {
  run: RunRecord;
  /** The pairs, or a function that makes them given the run's stop signal (an --all pages as it goes). */
  pairs: Pairs | ((signal: AbortSignal) => Pairs);
  /** "`alice`'s one-to-one conversations with 3 peers", for the parent message. */
  scope: string;
  /** The command that finishes the run if it is cut short. */
  rerun: string;
}

export interface BulkJobOptions {
  /** Continue from here (a run taken over from a replica that died). */
  resume?: BulkCheckpoint;
  /** Saves progress for whoever continues the run. */
  save?: (checkpoint: BulkCheckpoint) => Promise<void>;
  /** Aborts with a LetGo when this process must stop working on the run without ending it. */
  letGo?: AbortSignal;
}

/** A bulk run and, beside it, what to tell the requester if a shutdown cuts it short. */
export function startBulkInSlack(
  deps: SlackFlowDeps,
  runs: { store: RunStore; local: LocalRuns },
  spec: BulkRunSpec,
  options: BulkJobOptions = {},
): { done: Promise<void>; interrupt: () => Promise<void> } {
  const { run, rerun } = spec;
  const state: BulkJobState = {};
  const done = bulkInSlack(deps, runs, spec, state, options);
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
    await tellInThread(deps, run.ctx, state.thread, state.replyTs, message);
  };
  return { done, interrupt };
}

/**
 * A bulk run in Slack: one parent message and one thread reply for the whole run. Runs longer than a couple of
 * seconds show progress in that reply (edited in place, with a Stop button); it ends as the summary. A run taken
 * over from another replica keeps the same parent and reply, and counts on from the saved position.
 */
async function bulkInSlack(
  deps: SlackFlowDeps,
  runs: { store: RunStore; local: LocalRuns },
  { run, pairs, scope, rerun }: BulkRunSpec,
  job: BulkJobState,
  options: BulkJobOptions,
): Promise<void> {
  const { ctx } = run;
  const resume = options.resume ?? {};
  const log = contextLogger(deps, ctx).child({ runId: run.id });
  const thread = new ChannelThread(deps.web, ctx.channelId, log);
  job.thread = thread;
  const controller = runs.local.start(run.id);
  const letGo = () => controller.abort(options.letGo?.reason);
  if (options.letGo?.aborted) letGo();
  options.letGo?.addEventListener('abort', letGo, { once: true });

  let checkpoint: BulkCheckpoint = { ...resume };
  let saving: Promise<void> = Promise.resolve();
  const save = (change: BulkCheckpoint) => {
    checkpoint = { ...checkpoint, ...change };
    const snapshot = checkpoint;
    saving = saving.then(() => options.save?.(snapshot)).catch(() => {});
    return saving;
  };
  if (resume.parentTs !== undefined) thread.parentTs = resume.parentTs;
  else if (await thread.postParent(bulkParentMessage(ctx.requester, scope, 'working')))
    await save({ parentTs: thread.parentTs });

  let replyTs = resume.replyTs;
  job.replyTs = replyTs;
  let lastShown = performance.now();
  let lastSaved = performance.now();
  let showing: Promise<void> | undefined;
  const showProgress = (summary: RunSummary, position: number) => {
    job.latest = summary;
    if (performance.now() - lastSaved >= CHECKPOINT_EVERY_MS) {
      lastSaved = performance.now();
      void save({ position, summary });
    }
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
            if (ts !== undefined) void save({ replyTs: ts });
          })
        : thread.update(message, replyTs).then(() => undefined)
    ).finally(() => {
      showing = undefined;
    });
  };

  // Stop may be pressed on another replica: look at the shared state now and then. A store that lost the run
  // (Redis restarted empty) gets it back, so its Stop button keeps working.
  const watch = setInterval(async () => {
    try {
      const now = await runs.store.get(run.id);
      if (now === undefined) await runs.store.restore({ ...run, state: 'running' });
      else if (now.state === 'stopping' && !controller.signal.aborted) controller.abort();
    } catch {
      // The store is unreachable for now: the run goes on; a Stop is seen when it is back.
    }
  }, CHECKPOINT_EVERY_MS);

  const results: PairResult[] = [];
  let summary: RunSummary;
  let position = resume.position ?? 0;
  try {
    summary = await runMarkRead(deps.app, typeof pairs === 'function' ? pairs(controller.signal) : pairs, {
      audit: auditOf(ctx),
      signal: controller.signal,
      resume: resume.summary ? { position: resume.position ?? 0, summary: resume.summary } : undefined,
      onProgress: (s, p) => {
        position = p;
        showProgress(s, p);
      },
      // Kept only for a run small enough to list its pairs (a resumed run lists what it did itself).
      onPair: (result) => void (run.total <= LIST_PAIRS_UP_TO && results.push(result)),
    });
  } finally {
    clearInterval(watch);
    options.letGo?.removeEventListener('abort', letGo);
    runs.local.end(run.id);
  }
  await showing;
  if (controller.signal.reason instanceof LetGo) {
    // Not over: another replica continues from exactly here, in the same thread.
    await save({ position, summary, replyTs });
    log.info({ runId: run.id, position, why: controller.signal.reason.why }, 'bulk run handed over');
    return;
  }
  const marks = run.clearMarks && !summary.stopped ? await clearMarksOf(deps, run, controller.signal) : undefined;
  const ended = await runs.store.transition(run.id, ['running', 'stopping'], 'finished').catch(() => undefined);
  const stopReason = ended?.run?.stopReason;
  let message = summaryMessage(summary, run.total, rerun, stopReason, results);
  if (marks) message = withLine(message, marks);
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

/** --clear-marks after a bulk run: the run's peers (an --all's are listed again), unmarked with proof. */
async function clearMarksOf(deps: SlackFlowDeps, run: RunRecord, signal: AbortSignal): Promise<string> {
  let peers = run.peers;
  if (peers === undefined) {
    peers = [];
    try {
      for await (const peer of oneToOnePeers(deps.app.client, run.user, signal))
        if (peer !== run.user) peers.push(peer);
    } catch (error) {
      return `*Unread marks*: not cleared: ${escapeMrkdwn((error as Error).message)}`;
    }
  }
  if (peers.length === 0) return '*Unread marks*: none were set.';
  return marksLine(await clearUnreadMarks(deps.app.client, run.user, peers, signal));
}
