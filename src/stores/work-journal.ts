import { JobQueue, type QueueDepth } from '../work/job-queue.js';

/**
 * Acked work that must reach its end even if the process that acked it dies. The Slack app records each job
 * (a single mark, a bulk run) here as it acks, and runs whatever the journal hands it: with Redis, any replica
 * may be handed any job, and a job whose replica stopped heartbeating is handed to a live one, with the
 * checkpoint its last owner saved. In memory, jobs run in this process and die with it (the honest default).
 */
export interface JournalJob {
  id: string;
  /** Plain JSON: it is stored, and read back by another process (which validates it). */
  payload: unknown;
}

export interface JobLease {
  job: JournalJob;
  /** How many times the job was handed out, this time included: more than one means an owner died. */
  deliveries: number;
  /** What the last owner saved with `checkpoint`, if anything. */
  saved: unknown;
  /**
   * Aborts when this process must let go: it is handing its work over on shutdown, or another replica took the
   * job (this one stopped heartbeating). `signal.reason` is a LetGo.
   */
  signal: AbortSignal;
  /** Saves progress for whoever continues the job. */
  checkpoint(state: unknown): Promise<void>;
  /** The job is over (outcome delivered): forget it. */
  done(): Promise<void>;
  /** Gives the job back now, for another replica (or this one, restarted) to continue from its checkpoint. */
  release(): Promise<void>;
}

export class LetGo extends Error {
  constructor(readonly why: 'handoff' | 'taken') {
    super(why === 'handoff' ? 'handing the job over (shutting down)' : 'another replica took the job over');
    this.name = 'LetGo';
  }
}

export type JobHandler = (lease: JobLease) => Promise<void>;

export interface WorkJournal {
  /** True when recorded jobs survive this process. */
  readonly durable: boolean;
  /**
   * Records a job; resolves once it is recorded (durably, if `durable`). Rejects if it cannot be: with
   * JournalFull when too many jobs wait already.
   */
  record(job: JournalJob): Promise<void>;
  /** Starts handing jobs to `handler`, this process's own and (if durable) others' abandoned ones. */
  start(handler: JobHandler): Promise<void>;
  /**
   * Stops taking jobs. Jobs being worked on are told to let go (`handoff`) if `handOff`; otherwise left alone.
   * Resolves with the jobs recorded here that will now never start (nobody else can run them), for their
   * requesters to be told.
   */
  stop(options?: { handOff?: boolean }): Promise<JournalJob[]>;
  /** The jobs running in this process, and those waiting here for a slot. */
  depth(): QueueDepth;
}

/** The journal has no room for another job now; nothing of it was started. */
export class JournalFull extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} jobs are waiting already`);
    this.name = 'JournalFull';
  }
}

/**
 * Jobs one process runs at once. Measured at 167 commands/s for 60 s (2-core machine, stand-ins), with a single
 * mark's proof counts waiting at most 250 ms for a send slot: at most 55 jobs ran or waited at once (775 when the
 * counts could wait 3 s). A burst of 450 ran as fast with 64 slots as with 1,000 (the IM budget sets the pace).
 * 256 leaves four times the measured need before anything waits. The same bound as a Redis replica's
 * (RedisJournalOptions.maxActive).
 */
export const MAX_RUNNING = 256;
/**
 * Jobs waiting for a slot before a new one is refused. Each is its small JSON payload; with the IM API answering
 * in 150 ms, 167 commands/s kept up to 953 waiting, so this leaves room for twice that.
 */
export const MAX_WAITING = 2_000;

/**
 * Jobs run in this process, at most `maxRunning` at once, the rest waiting in order: the default without Redis.
 * What it cannot do: it is not durable and not shared. A crash loses the jobs, and no other process can pick
 * them up; a checkpoint is kept only while its job runs here. On shutdown, the jobs still waiting are given back
 * for their requesters to be told.
 */
export class MemoryWorkJournal implements WorkJournal {
  readonly durable = false;
  private handler: JobHandler | undefined;
  private readonly saved = new Map<string, unknown>();
  private readonly active = new Map<string, AbortController>();
  private readonly queue: JobQueue<JournalJob>;

  constructor(limits: { maxRunning?: number; maxWaiting?: number } = {}) {
    this.queue = new JobQueue(
      (job) => this.run(job),
      limits.maxRunning ?? MAX_RUNNING,
      limits.maxWaiting ?? MAX_WAITING,
    );
  }

  async record(job: JournalJob): Promise<void> {
    if (!this.handler) throw new Error('the work journal is not started');
    // Started on a later turn of the event loop, never inside this call: the ack goes out first.
    if (!this.queue.push(job)) throw new JournalFull(this.queue.depth().waiting);
  }

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
  }

  async stop(options: { handOff?: boolean } = {}): Promise<JournalJob[]> {
    if (options.handOff) for (const c of this.active.values()) c.abort(new LetGo('handoff'));
    return this.queue.close();
  }

  depth(): QueueDepth {
    return this.queue.depth();
  }

  private async run(job: JournalJob): Promise<void> {
    const controller = new AbortController();
    this.active.set(job.id, controller);
    const end = async () => {
      this.active.delete(job.id);
      this.saved.delete(job.id);
    };
    const lease: JobLease = {
      job,
      deliveries: 1,
      saved: undefined,
      signal: controller.signal,
      checkpoint: async (state) => void this.saved.set(job.id, state),
      done: end,
      // Nobody else could continue it: released work is simply over.
      release: end,
    };
    try {
      await this.handler?.(lease);
    } finally {
      // Over either way: in memory, nobody could continue it.
      await end();
    }
  }
}
