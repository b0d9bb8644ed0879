import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordIn } from '../../audit/scope.js';
import { markReadRequests } from '../../domain/mark-read-request.js';
import type { Logger } from '../../log/logger.js';
import { WORKING } from '../../stores/run-machine.js';
import type { RunRecord, RunStore } from '../../stores/runs.js';
import {
  type JobLease,
  JournalFull,
  type JournalJob,
  LetGo,
  MemoryWorkJournal,
  type WorkJournal,
} from '../../stores/work-journal.js';
import type { QueueDepth } from '../../work/job-queue.js';
import type { LocalRuns } from '../../work/local-runs.js';
import { flowOn, goneApp } from '../app-choice.js';
import { plainMessage } from '../blocks/message.js';
import { code } from '../blocks/mrkdwn.js';
import { bulkScope } from '../blocks/run.js';
import { rerunCommand } from '../command-text.js';
import { contextLogger, type SlackRequestContext, scopeOf } from '../context.js';
import type { InFlight } from '../in-flight.js';
import { ChannelThread } from '../transport/channel-thread.js';
import { startBulkInSlack } from './bulk.js';
import type { BulkCheckpoint } from './bulk-progress.js';
import { allPairs } from './confirm-all.js';
import { type SingleCheckpoint, type SlackFlowBase, startMarkReadInSlack, tellInThread } from './single.js';

const ctxSchema = z
  .object({
    requester: z.string().min(1),
    teamId: z.string().optional(),
    channelId: z.string().min(1),
    responseUrl: z.url(),
    via: z.enum(['command', 'modal', 'button', 'app-home', 'cli', 'system']),
    reason: z.string().optional(),
    app: z.string().optional(),
  })
  .transform((ctx): SlackRequestContext => ({ ...ctx, teamId: ctx.teamId }));

/** A job as stored in the journal and read back, maybe by another replica: validated like any other input. */
const slackJobSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('single'),
    ctx: ctxSchema,
    request: z.object({ user: z.string(), peer: z.string(), readTime: z.number().int().optional() }),
    clearMarks: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('bulk'), runId: z.string(), ctx: ctxSchema }),
]);
export type SlackJob = z.infer<typeof slackJobSchema>;

/** A job handed out this often and never finished is not tried again: its requester is told instead. */
export const MAX_DELIVERIES = 5;

export interface SlackJobsDeps {
  flow: SlackFlowBase;
  runs: RunStore;
  local: LocalRuns;
  inFlight: InFlight;
  logger: Logger;
}

/**
 * Acked work, from the listener that acks it to whichever replica finishes it. `dispatch` records the job in the
 * journal; the journal hands it to a worker (here or on another replica), which runs the Slack flow with the
 * job's checkpoints. While the journal cannot record (Redis down), single marks run here without a record.
 */
export class SlackJobs {
  private readonly fallback = new MemoryWorkJournal();
  private fallbackNoted = false;

  constructor(
    private readonly journal: WorkJournal,
    private readonly deps: SlackJobsDeps,
    /** Whether the shared state can take a new bulk run now. */
    private readonly sharedStateUp: () => boolean = () => true,
    /** Whether this process runs recorded work ('web' replicas only record it, for the workers). */
    private readonly works = true,
  ) {}

  get durable(): boolean {
    return this.journal.durable;
  }

  /** Why a new bulk run cannot start now, or undefined if it can. */
  bulkRefusal(): string | undefined {
    return this.sharedStateUp()
      ? undefined
      : 'markread cannot reach its shared state (Redis) right now, so it cannot start a bulk run that would survive a restart. Single marks (`/markread <user> <peer>`) still work; try the bulk run again in a minute';
  }

  async start(): Promise<void> {
    const handle = (lease: JobLease) => this.handle(lease);
    // The fallback always runs here: while Redis is down, a single mark acked here is also worked on here.
    await Promise.all([this.works ? this.journal.start(handle) : undefined, this.fallback.start(handle)]);
  }

  /**
   * Stops taking jobs; with a durable journal, runs in progress are handed over for another replica to continue.
   * Jobs that were waiting for a slot here never start: their requesters are told so (tracked as work in flight).
   */
  async stop(): Promise<void> {
    const [unstarted = [], fallbackUnstarted] = await Promise.all([
      this.works ? this.journal.stop({ handOff: this.journal.durable }) : undefined,
      this.fallback.stop(),
    ]);
    const never = [...unstarted, ...fallbackUnstarted];
    if (never.length > 0) void this.deps.inFlight.track(this.tellNotStarted(never));
  }

  /** Jobs running here, and jobs waiting here for a slot. */
  depth(): QueueDepth {
    const [a, b] = [this.journal.depth(), this.fallback.depth()];
    return { running: a.running + b.running, waiting: a.waiting + b.waiting };
  }

  /**
   * Records `job` and gets it going. Never throws: a single mark falls back to running here, unrecorded; a job
   * for which there is no room is not started, and its requester is told to try again.
   */
  async dispatch(job: SlackJob): Promise<void> {
    const recorded = { id: job.kind === 'bulk' ? job.runId : randomUUID(), payload: job };
    try {
      // A durable journal refuses at once while Redis is unreachable.
      await this.journal.record(recorded);
      this.fallbackNoted = false;
      return;
    } catch (error) {
      if (error instanceof JournalFull) return this.deps.inFlight.track(this.tellBusy(job, error.waiting));
      if (!this.fallbackNoted)
        this.deps.logger.warn(
          { err: error },
          'could not record acked work in the shared journal; running it here, where a crash would lose it',
        );
      this.fallbackNoted = true;
    }
    await this.fallback.record(recorded).catch((error: unknown) => {
      if (!(error instanceof JournalFull)) throw error;
      return this.deps.inFlight.track(this.tellBusy(job, error.waiting));
    });
  }

  private async handle(lease: JobLease): Promise<void> {
    const parsed = slackJobSchema.safeParse(lease.job.payload);
    if (!parsed.success) {
      this.deps.logger.error({ jobId: lease.job.id }, 'dropped a journal entry that is not a markread job');
      return lease.done();
    }
    const job = parsed.data;
    if (lease.deliveries > MAX_DELIVERIES) await this.giveUp(lease, job);
    else if (job.kind === 'single') await this.single(lease, job);
    else if ((await this.bulk(lease, job)) === 'not over') return;
    // Over: the outcome was delivered (or the requester told why not). A lease already handed back ignores this.
    await lease.done();
  }

  private async single(lease: JobLease, job: Extract<SlackJob, { kind: 'single' }>): Promise<void> {
    const { request, ctx } = job;
    const flow = flowOn(this.deps.flow, ctx);
    if (!flow) return this.tell(ctx, undefined, goneApp(ctx.app, this.deps.flow.apps));
    const work = startMarkReadInSlack(flow, ctx, request, {
      rerun: rerunOfSingle(job),
      resume: lease.saved as SingleCheckpoint | undefined,
      save: (checkpoint) => lease.checkpoint(checkpoint),
      clearMarks: job.clearMarks === true,
    });
    // Cut short by a shutdown: a durable journal hands the job over (another replica finishes it); otherwise
    // the requester is told what was sent and to run it again.
    this.deps.inFlight.track(work.done, this.journal.durable ? () => lease.release() : work.interrupt);
    await work.done;
  }

  /** Runs (or continues) a bulk run; 'not over' when it was handed back for someone else to continue. */
  private async bulk(lease: JobLease, job: Extract<SlackJob, { kind: 'bulk' }>): Promise<'over' | 'not over'> {
    const store = this.deps.runs;
    const run = await store.get(job.runId).catch(() => 'unreachable' as const);
    if (run === 'unreachable') {
      await lease.release();
      return 'not over';
    }
    if (run === undefined) {
      await this.tell(
        job.ctx,
        lease.saved as BulkCheckpoint | undefined,
        `:warning: *This run could not be finished*: markread lost its record (its Redis was emptied), so no replica can continue it. Marking read is safe to repeat: run the command again.`,
      );
      return 'over';
    }
    // Confirmed runs only; a run already over was finished by an earlier owner.
    if (!WORKING.includes(run.state)) return 'over';
    // The run's own app, whichever replica continues it; never another one.
    const flow = flowOn(this.deps.flow, run.origin);
    if (!flow) {
      await store.transition(run.id, 'finish').catch(() => undefined);
      await this.tell(job.ctx, lease.saved as BulkCheckpoint | undefined, goneApp(run.origin.app, this.deps.flow.apps));
      return 'over';
    }
    const all = run.peers === undefined;
    const scope = bulkScope(run.user, run.total, all);
    const rerun = rerunOf(run);
    const resume = lease.saved as BulkCheckpoint | undefined;
    if (lease.deliveries > 1)
      this.deps.logger.info(
        { runId: run.id, position: resume?.position ?? 0, total: run.total },
        'continuing a bulk run taken over from another replica',
      );
    const work = startBulkInSlack(
      flow,
      { store, local: this.deps.local },
      {
        run,
        pairs: all
          ? (signal) => allPairs(flow.app.client, run.user, run.readTime, signal)
          : markReadRequests(run.user, run.peers ?? [], run.readTime),
        scope,
        rerun,
      },
      { resume, save: (checkpoint) => lease.checkpoint(checkpoint), letGo: lease.signal },
    );
    this.deps.inFlight.track(work.done, this.journal.durable ? () => lease.release() : work.interrupt);
    await work.done;
    if (!(lease.signal.reason instanceof LetGo)) return 'over';
    // Handing over on shutdown: give it back now. Taken by another replica: it is theirs already.
    if (lease.signal.reason.why === 'handoff') await lease.release();
    return 'not over';
  }

  /** Jobs acked here that will never start (markread is stopping): each requester is told nothing was sent. */
  private async tellNotStarted(jobs: JournalJob[]): Promise<void> {
    await Promise.all(
      jobs.map(async ({ payload }) => {
        const parsed = slackJobSchema.safeParse(payload);
        if (!parsed.success) return;
        const job = parsed.data;
        const rerun = await this.endUnstarted(job);
        recordIn(scopeOf(this.deps.flow.audit, job.ctx, job.kind === 'bulk' ? { runId: job.runId } : {}), {
          kind: 'interrupted',
          ...(job.kind === 'single' ? { target: { user: job.request.user, peers: [job.request.peer] } } : {}),
          outcome: { status: 'not-started', detail: 'markread was stopping before it started; nothing was sent' },
        });
        await this.tell(
          job.ctx,
          undefined,
          `:warning: *Interrupted*: markread was shutting down before this started. Nothing was sent to the IM API. Marking read is safe to repeat: run ${rerun ? code(rerun) : 'it'} again.`,
        );
      }),
    );
  }

  /** No room for `job` (too many wait already): it is not started, and its requester is told so, privately. */
  private async tellBusy(job: SlackJob, waiting: number): Promise<void> {
    const rerun = await this.endUnstarted(job);
    recordIn(scopeOf(this.deps.flow.audit, job.ctx, job.kind === 'bulk' ? { runId: job.runId } : {}), {
      kind: 'refused',
      ...(job.kind === 'single' ? { target: { user: job.request.user, peers: [job.request.peer] } } : {}),
      outcome: { status: 'busy', detail: `${waiting} commands were waiting; nothing was sent` },
    });
    await this.deps.flow.respond(
      job.ctx.responseUrl,
      plainMessage(
        `:no_entry: *markread is busy*: ${waiting === 1 ? '1 command is' : `${waiting} commands are`} waiting. Nothing was sent to the IM API. Try again in a minute: ${rerun ? code(rerun) : 'run the command again'}.`,
      ),
    );
  }

  /** The command that repeats a job that never started; a bulk run is ended, so its buttons say so. */
  private async endUnstarted(job: SlackJob): Promise<string | undefined> {
    if (job.kind === 'single') return rerunOfSingle(job);
    const ended = await this.deps.runs.transition(job.runId, 'abandon').catch(() => undefined);
    return ended?.ok ? rerunOf(ended.run) : undefined;
  }

  /** A job that kept failing (each owner died or crashed on it): stop trying, and say so. */
  private async giveUp(lease: JobLease, job: SlackJob): Promise<void> {
    this.deps.logger.error(
      { jobId: lease.job.id, deliveries: lease.deliveries, kind: job.kind },
      'giving up a job that was handed out too many times without finishing; the requester is told',
    );
    if (job.kind === 'bulk') await this.deps.runs.transition(job.runId, 'finish').catch(() => undefined);
    const what = job.kind === 'single' ? code(rerunOfSingle(job)) : 'it';
    await this.tell(
      job.ctx,
      lease.saved as BulkCheckpoint | undefined,
      `:x: *Could not be finished*: markread was restarted ${lease.deliveries - 1} times while working on this, so it stopped trying. Marking read is safe to repeat: run ${what} again, and if this repeats, report it with the time of this message.`,
    );
  }

  /** Tells the requester how a job ended when no flow can, so nothing is left saying "In progress". */
  private async tell(ctx: SlackRequestContext, saved: BulkCheckpoint | undefined, text: string): Promise<void> {
    const thread = new ChannelThread(this.deps.flow.web, ctx.channelId, contextLogger(this.deps.flow, ctx));
    thread.parentTs = saved?.parentTs;
    await tellInThread(this.deps.flow, ctx, thread, saved?.replyTs, plainMessage(text));
  }
}

/** The command that repeats a single mark, --clear-marks included: the one of a run of that one peer. */
function rerunOfSingle({ request, clearMarks, ctx }: Extract<SlackJob, { kind: 'single' }>): string {
  const origin = { reason: ctx.reason, app: ctx.app };
  return rerunOf({ user: request.user, peers: [request.peer], readTime: request.readTime, clearMarks, origin });
}

/** The command that repeats a run (an --all when it has no peers), flags, reason and app and all. */
function rerunOf(
  run: Pick<RunRecord, 'user' | 'peers' | 'readTime' | 'clearMarks'> & { origin: { reason?: string; app?: string } },
): string {
  const { reason, app } = run.origin;
  return rerunCommand(run.user, run.peers ?? 'all', run.readTime, run.clearMarks === true, reason, app);
}
