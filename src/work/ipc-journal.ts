import { z } from 'zod';
import type { IpcPeer } from './ipc-peer.js';
import type { JobHandler, JobLease, JournalJob, WorkJournal } from './journal.js';

const delivery = z.object({
  id: z.string(),
  payload: z.unknown(),
  deliveries: z.number().int().min(1),
  saved: z.unknown(),
});
type Delivery = z.infer<typeof delivery>;

/**
 * The web process's journal when the work runs in a worker process: each recorded job is sent to the worker and
 * kept here, with the worker's latest checkpoint, until the worker says it is over. If the worker dies, the web
 * process starts a new one and hands it every unfinished job again with its checkpoint (a delivery more, so a job
 * that kills its worker every time is given up after a few). Not durable: the web process's own death loses them,
 * as the in-memory journal would.
 */
export class ForkedWorkJournal implements WorkJournal {
  readonly durable = false;
  private readonly unfinished = new Map<string, Delivery>();
  private readonly sent = new Set<string>();
  private peer: IpcPeer | undefined;

  /** Jobs recorded and not yet over: the backlog /healthz reports. */
  get backlog(): number {
    return this.unfinished.size;
  }

  /** Jobs recorded while no worker was ready, and not handed to one since. */
  undelivered(): JournalJob[] {
    return [...this.unfinished.values()]
      .filter((job) => !this.sent.has(job.id))
      .map(({ id, payload }) => ({ id, payload }));
  }

  /** A (new) worker is ready: it gets every unfinished job, each as one more delivery if it was out already. */
  attach(peer: IpcPeer, redeliver: boolean): void {
    this.peer = peer;
    peer.handle('job.checkpoint', (id: unknown, state: unknown) => {
      const job = this.unfinished.get(z.string().parse(id));
      if (job) job.saved = state;
    });
    const over = (id: unknown) => {
      const jobId = z.string().parse(id);
      this.unfinished.delete(jobId);
      this.sent.delete(jobId);
    };
    peer.handle('job.done', over);
    // A worker that lets go of a job (it is stopping) gives it back to nobody: there is no one else to continue it.
    peer.handle('job.release', over);
    for (const job of this.unfinished.values()) {
      if (redeliver) job.deliveries++;
      this.send(peer, job);
    }
  }

  detach(): void {
    this.peer = undefined;
  }

  async record(job: JournalJob): Promise<void> {
    const entry: Delivery = { id: job.id, payload: job.payload, deliveries: 1, saved: undefined };
    this.unfinished.set(job.id, entry);
    // A worker being restarted gets it when it is ready.
    if (this.peer) this.send(this.peer, entry);
  }

  private send(peer: IpcPeer, job: Delivery): void {
    if (peer.note('job', job)) this.sent.add(job.id);
  }

  /** The web process works on nothing itself. */
  async start(_handler: JobHandler): Promise<void> {}

  async stop(): Promise<void> {}
}

/**
 * The worker process's journal: jobs arrive from the web process, and checkpoints and endings go back to it. Not
 * durable, so on shutdown each unfinished job tells its requester it was interrupted, as in a single process.
 */
export class IpcJobSource implements WorkJournal {
  readonly durable = false;

  constructor(private readonly peer: IpcPeer) {}

  async record(): Promise<void> {
    throw new Error('the worker process records no jobs; the web process does');
  }

  async start(handler: JobHandler): Promise<void> {
    this.peer.handle('job', (raw: unknown) => {
      const job = delivery.parse(raw);
      const lease: JobLease = {
        job: { id: job.id, payload: job.payload },
        deliveries: job.deliveries,
        saved: job.saved,
        // Nobody takes a job from this worker, and it hands nothing over: the signal never aborts.
        signal: new AbortController().signal,
        checkpoint: async (state) => void this.peer.note('job.checkpoint', job.id, state),
        done: async () => void this.peer.note('job.done', job.id),
        release: async () => void this.peer.note('job.release', job.id),
      };
      return handler(lease);
    });
  }

  async stop(): Promise<void> {}
}
