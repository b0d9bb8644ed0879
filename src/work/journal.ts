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
  /** Records a job; resolves once it is recorded (durably, if `durable`). Rejects if it cannot be. */
  record(job: JournalJob): Promise<void>;
  /** Starts handing jobs to `handler`, this process's own and (if durable) others' abandoned ones. */
  start(handler: JobHandler): Promise<void>;
  /** Stops taking jobs. Jobs being worked on are told to let go (`handoff`) if `handOff`; otherwise left alone. */
  stop(options?: { handOff?: boolean }): Promise<void>;
}

/** Jobs run in this process, at once. Not durable: a crash loses them, and nothing else picks them up. */
export class MemoryWorkJournal implements WorkJournal {
  readonly durable = false;
  private handler: JobHandler | undefined;
  private readonly saved = new Map<string, unknown>();
  private readonly active = new Map<string, AbortController>();

  async record(job: JournalJob): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new Error('the work journal is not started');
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
    // On the next turn: the ack goes out first.
    setImmediate(() => void handler(lease));
  }

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
  }

  async stop(options: { handOff?: boolean } = {}): Promise<void> {
    if (options.handOff) for (const c of this.active.values()) c.abort(new LetGo('handoff'));
  }
}
