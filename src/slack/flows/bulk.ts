import { type AuditScope, recordIn } from '../../audit/scope.js';
import { clearUnreadMarks } from '../../domain/conversation-marks.js';
import { oneToOnePeers } from '../../domain/conversations.js';
import type { MarkReadRequest } from '../../domain/mark-read-request.js';
import { type PairResult, type RunSummary, runMarkRead, runOutcome } from '../../domain/mark-read-run.js';
import type { Logger } from '../../log/logger.js';
import type { RunRecord, RunStore } from '../../stores/runs.js';
import { LetGo } from '../../stores/work-journal.js';
import type { LocalRuns } from '../../work/local-runs.js';
import { approvalLine } from '../blocks/approval.js';
import { marksLine } from '../blocks/check.js';
import { plainMessage, type SlackMessage, withLine } from '../blocks/message.js';
import { code, escapeMrkdwn } from '../blocks/mrkdwn.js';
import { bulkParentMessage, LIST_PAIRS_UP_TO, summaryMessage } from '../blocks/run.js';
import { contextLogger, contextOf, type SlackRequestContext, scopeOf } from '../context.js';
import { runTarget, withApprover } from '../run-audit.js';
import { ChannelThread } from '../transport/channel-thread.js';
import { type BulkCheckpoint, CHECKPOINT_EVERY_MS, Checkpoints, ProgressReply } from './bulk-progress.js';
import { deliverPrivately, parentOn, type SlackFlowDeps, tellInThread } from './single.js';

type Pairs = Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>;

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

type BulkRuns = { store: RunStore; local: LocalRuns };

/** What marking the pairs came to, and where it got. */
interface Marked {
  summary: RunSummary;
  position: number;
  results: PairResult[];
}

/** A bulk run and, beside it, what to tell the requester if a shutdown cuts it short. */
export function startBulkInSlack(
  deps: SlackFlowDeps,
  runs: BulkRuns,
  spec: BulkRunSpec,
  options: BulkJobOptions = {},
): { done: Promise<void>; interrupt: () => Promise<void> } {
  const bulk = new BulkInSlack(deps, runs, spec, options);
  return { done: bulk.run(), interrupt: () => bulk.interrupt() };
}

/**
 * A bulk run in Slack: one parent message and one thread reply for the whole run. Runs longer than a couple of
 * seconds show progress in that reply (edited in place, with a Stop button); it ends as the summary. A run taken
 * over from another replica keeps the same parent and reply, and counts on from the saved position.
 */
class BulkInSlack {
  private readonly ctx: SlackRequestContext;
  private readonly log: Logger;
  private readonly thread: ChannelThread;
  private readonly checkpoints: Checkpoints;
  private readonly controller: AbortController;
  private readonly reply: ProgressReply;

  constructor(
    private readonly deps: SlackFlowDeps,
    private readonly runs: BulkRuns,
    private readonly spec: BulkRunSpec,
    private readonly options: BulkJobOptions,
  ) {
    const { run } = spec;
    this.ctx = contextOf(run.origin);
    this.log = contextLogger(deps, this.ctx).child({ runId: run.id });
    this.thread = new ChannelThread(deps.web, this.ctx.channelId, this.log);
    this.checkpoints = new Checkpoints(options.resume ?? {}, options.save);
    this.controller = runs.local.start(run.id);
    this.reply = new ProgressReply(this.thread, run.id, run.total, this.checkpoints, this.controller.signal);
  }

  async run(): Promise<void> {
    const { letGo } = this.options;
    const passOn = () => this.controller.abort(letGo?.reason);
    if (letGo?.aborted) passOn();
    letGo?.addEventListener('abort', passOn, { once: true });
    let marked: Marked;
    try {
      await this.openThread();
      marked = await this.mark();
    } finally {
      letGo?.removeEventListener('abort', passOn);
      this.runs.local.end(this.spec.run.id);
    }
    await this.reply.settled();
    const reason = this.controller.signal.reason;
    if (reason instanceof LetGo) {
      // Not over: another replica continues from exactly here, in the same thread.
      await this.checkpoints.save({ position: marked.position, summary: marked.summary });
      this.log.info({ position: marked.position, why: reason.why }, 'bulk run handed over');
      return;
    }
    await this.finish(marked);
  }

  /** What to tell the requester when a shutdown cuts the run short. */
  async interrupt(): Promise<void> {
    const { run, rerun } = this.spec;
    const s = this.reply.latest;
    const done = s
      ? `${s.done.toLocaleString('en-US')} of ${run.total.toLocaleString('en-US')} were done (${s.ok} OK, ${s.failed} failed)`
      : 'none were done';
    const message = plainMessage(
      `:warning: *Interrupted*: markread was shutting down before this run finished; ${done}, and calls in flight got no answer. Marking read is safe to repeat: run ${code(rerun)} again to finish.`,
    );
    recordIn(this.scope(), {
      kind: 'interrupted',
      target: runTarget(this.spec.run),
      outcome: { status: 'interrupted', done: s?.done ?? 0, ok: s?.ok ?? 0, failed: s?.failed ?? 0 },
    });
    await tellInThread(this.deps, this.ctx, this.thread, this.reply.ts, message);
  }

  /** The run's audit scope: its requester, its id, its thread. */
  private scope(): AuditScope {
    const scope = scopeOf(this.deps.audit, this.ctx, { runId: this.spec.run.id, thread: this.thread.ref() });
    return withApprover(scope, this.spec.run);
  }

  /** A parent message or summary with its app's line and, for an approved run, who approved it. */
  private parent(message: SlackMessage): SlackMessage {
    const line = approvalLine(this.spec.run);
    return parentOn(this.deps, line === undefined ? message : withLine(message, line));
  }

  /** The parent message: posted (and saved) once; a run taken over finds it in its checkpoint. */
  private async openThread(): Promise<void> {
    const { parentTs } = this.checkpoints.current;
    if (parentTs !== undefined) this.thread.parentTs = parentTs;
    else if (
      await this.thread.postParent(
        this.parent(bulkParentMessage(this.ctx.requester, this.spec.scope, 'working', this.ctx.reason)),
      )
    )
      await this.checkpoints.save({ parentTs: this.thread.parentTs });
  }

  /** Marks the pairs from where the run is, watching the shared state for a Stop pressed on another replica. */
  private async mark(): Promise<Marked> {
    const { run, pairs } = this.spec;
    const { signal } = this.controller;
    const resume = this.options.resume ?? {};
    const results: PairResult[] = [];
    let position = resume.position ?? 0;
    const unwatch = watchForStop(this.runs.store, run, this.controller);
    try {
      const summary = await runMarkRead(this.deps.app, typeof pairs === 'function' ? pairs(signal) : pairs, {
        audit: this.scope(),
        signal,
        resume: resume.summary ? { position: resume.position ?? 0, summary: resume.summary } : undefined,
        onProgress: (s, p) => {
          position = p;
          this.reply.show(s, p);
        },
        // Kept only for a run small enough to list its pairs (a resumed run lists what it did itself).
        onPair: (result) => void (run.total <= LIST_PAIRS_UP_TO && results.push(result)),
      });
      return { summary, position, results };
    } finally {
      unwatch();
    }
  }

  /** The run is over: it is marked finished, and its summary replaces the progress (or goes privately). */
  private async finish({ summary, results }: Marked): Promise<void> {
    const { run, scope, rerun } = this.spec;
    const marks =
      run.clearMarks && !summary.stopped
        ? await clearMarksOf(this.deps, run, this.scope(), this.controller.signal)
        : undefined;
    const ended = await this.runs.store.transition(run.id, 'finish').catch(() => undefined);
    recordIn(
      this.scope(),
      { kind: 'run-finished', target: runTarget(this.spec.run), outcome: runOutcome(summary) },
      this.deps.app,
    );
    let message = this.parent(summaryMessage(summary, run.total, rerun, ended?.run?.stopReason, results));
    if (marks) message = withLine(message, marks);
    if (await this.reply.replace(message)) {
      const state = summary.failed > 0 || summary.stopped ? 'failed' : 'ok';
      await this.thread.update(this.parent(bulkParentMessage(this.ctx.requester, scope, state, this.ctx.reason)));
      return;
    }
    await deliverPrivately(this.deps, this.ctx, this.log, message, this.thread.error, {
      runId: run.id,
      ok: summary.ok,
      failed: summary.failed,
      done: summary.done,
    });
  }
}

/**
 * Stop may be pressed on another replica: looks at the shared state now and then. A store that lost the run
 * (Redis restarted empty) gets it back, so its Stop button keeps working. Returns what ends the watch.
 */
function watchForStop(store: RunStore, run: RunRecord, controller: AbortController): () => void {
  const timer = setInterval(async () => {
    try {
      const now = await store.get(run.id);
      if (now === undefined) await store.restore({ ...run, state: 'running' });
      else if (now.state === 'stopping' && !controller.signal.aborted) controller.abort();
    } catch {
      // The store is unreachable for now: the run goes on; a Stop is seen when it is back.
    }
  }, CHECKPOINT_EVERY_MS);
  return () => clearInterval(timer);
}

/** --clear-marks after a bulk run: the run's peers (an --all's are listed again), unmarked with proof. */
async function clearMarksOf(
  deps: SlackFlowDeps,
  run: RunRecord,
  scope: AuditScope,
  signal: AbortSignal,
): Promise<string> {
  let peers = run.peers;
  if (peers === undefined) {
    peers = [];
    try {
      for await (const peer of oneToOnePeers(deps.app.client, run.user, signal))
        if (peer !== run.user) peers.push(peer);
    } catch (error) {
      return `*Unread marks*: not cleared: ${escapeMrkdwn(error instanceof Error ? error.message : String(error))}`;
    }
  }
  if (peers.length === 0) return '*Unread marks*: none were set.';
  return marksLine(await clearUnreadMarks(deps.app, run.user, peers, scope, signal));
}
