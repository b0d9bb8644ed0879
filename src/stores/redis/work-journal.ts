import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.js';
import type { QueueDepth } from '../../work/job-queue.js';
import {
  type JobHandler,
  type JobLease,
  type JournalJob,
  LetGo,
  MAX_RUNNING,
  type WorkJournal,
} from '../work-journal.js';
import type { RedisLink } from './link.js';
import { redisScript } from './script.js';

/**
 * Keeps a job's lease: for each entry, if this consumer still owns it, reset its idle time (XCLAIM … JUSTID does
 * not count as a delivery); otherwise say who has it. One atomic step, so a replica that stalled past the
 * takeover time learns it lost the job instead of taking it back from the replica now working on it.
 */
const HEARTBEAT = `
local out = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 0 then
    out[#out + 1] = 'gone'
  elseif p[1][2] ~= ARGV[2] then
    out[#out + 1] = 'taken'
  else
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    out[#out + 1] = 'mine'
  end
end
return out
`;

export interface RedisJournalOptions {
  /** How often a worker renews the jobs it holds. */
  heartbeatMs?: number;
  /** A job not renewed for this long belongs to a dead replica and is taken over. */
  staleAfterMs?: number;
  /** How often a replica looks for such jobs. */
  scanMs?: number;
  /**
   * Jobs one replica works on at once; more wait in the stream for another replica (or a free slot). High enough
   * that under overload the proof counts are skipped (said so) rather than every outcome queued behind the rest.
   */
  maxActive?: number;
}

interface Held {
  jobId: string;
  controller: AbortController;
}

const GROUP = 'workers';
/** A generous cap: done jobs are deleted at once, so the stream holds only jobs in progress. */
const MAX_ENTRIES = 10_000;
const CHECKPOINT_TTL_MS = 24 * 60 * 60_000;

/**
 * The work journal on a Redis stream with one consumer group (the engine's own at-least-once delivery): a job
 * is an entry, each replica is a consumer, a job in progress is a pending entry of its owner. Owners renew their
 * entries every `heartbeatMs`; any replica claims entries idle longer than `staleAfterMs` (XAUTOCLAIM), so the
 * work of a killed replica continues elsewhere, from the checkpoint its owner last saved.
 */
export class RedisWorkJournal implements WorkJournal {
  readonly durable = true;
  readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly stream: string;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly scanMs: number;
  private readonly maxActive: number;
  private readonly heartbeat: (keys: string[], args: string[]) => Promise<string[]>;
  private readonly held = new Map<string, Held>();
  private blocking: Redis | undefined;
  private handler: JobHandler | undefined;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private reading: Promise<void> | undefined;
  private lastCleanup = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly logger: Logger,
    options: RedisJournalOptions = {},
  ) {
    this.stream = link.key('work');
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
    this.scanMs = options.scanMs ?? 3_000;
    this.maxActive = options.maxActive ?? MAX_RUNNING;
    this.heartbeat = redisScript(link.client, 'markreadHeartbeat', 1, HEARTBEAT);
  }

  private get redis(): Redis {
    return this.link.client;
  }

  async record(job: JournalJob): Promise<void> {
    if (!this.link.up) throw new Error('redis is unreachable');
    await this.redis.xadd(
      this.stream,
      'MAXLEN',
      '~',
      MAX_ENTRIES,
      '*',
      'id',
      job.id,
      'job',
      JSON.stringify(job.payload),
    );
  }

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
    await this.ensureGroup().catch(() => {});
    this.blocking = this.link.blockingConnection();
    this.reading = this.readLoop();
    this.timers.push(
      setInterval(() => void this.renew(), this.heartbeatMs).unref(),
      setInterval(() => void this.takeOver(), this.scanMs).unref(),
    );
  }

  /** Resolves with no jobs: those not started wait in the stream, for whichever replica is up. */
  async stop(options: { handOff?: boolean } = {}): Promise<JournalJob[]> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.blocking?.disconnect();
    await this.reading;
    if (options.handOff) for (const held of this.held.values()) held.controller.abort(new LetGo('handoff'));
    return [];
  }

  /** Jobs waiting for a slot wait in the stream, shared by every replica, not here. */
  depth(): QueueDepth {
    return { running: this.held.size, waiting: 0 };
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.stopped) {
      if (!this.link.up || this.held.size >= this.maxActive) {
        await sleep(250);
        continue;
      }
      try {
        const reply = (await (this.blocking as Redis).xreadgroup(
          'GROUP',
          GROUP,
          this.consumer,
          'COUNT',
          10,
          'BLOCK',
          2_000,
          'STREAMS',
          this.stream,
          '>',
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? [])
          for (const [entryId, fields] of entries) this.deliver(entryId, fields, 1);
      } catch (error) {
        if (this.stopped) return;
        // The group is gone when Redis restarted without its data: make it again, and go on.
        if (String((error as Error).message).includes('NOGROUP')) await this.ensureGroup().catch(() => {});
        else await sleep(500);
      }
    }
  }

  /** Renews the held entries; lets go of those another replica has taken. */
  private async renew(): Promise<void> {
    if (!this.link.up || this.held.size === 0) return;
    const ids = [...this.held.keys()];
    let answers: string[];
    try {
      answers = await this.heartbeat([this.stream], [GROUP, this.consumer, ...ids]);
    } catch {
      return; // Redis trouble: the work goes on; renewal resumes when it is back
    }
    ids.forEach((entryId, i) => {
      const held = this.held.get(entryId);
      if (!held) return;
      if (answers[i] === 'taken') {
        this.logger.warn({ jobId: held.jobId }, 'another replica took this job over; letting go of it');
        held.controller.abort(new LetGo('taken'));
        this.held.delete(entryId);
      }
    });
  }

  /** Claims jobs whose owner stopped renewing them (a replica killed, or cut off), and runs them here. */
  private async takeOver(): Promise<void> {
    if (this.stopped || !this.link.up || this.held.size >= this.maxActive) return;
    try {
      const [, entries] = (await this.redis.xautoclaim(
        this.stream,
        GROUP,
        this.consumer,
        this.staleAfterMs,
        '0-0',
        'COUNT',
        Math.min(10, this.maxActive - this.held.size),
      )) as [string, [string, string[] | null][]];
      for (const [entryId, fields] of entries) {
        if (!fields) continue; // trimmed away: nothing left to run
        const pending = (await this.redis.xpending(this.stream, GROUP, entryId, entryId, 1)) as [
          string,
          string,
          number,
          number,
        ][];
        const deliveries = pending[0]?.[3] ?? 2;
        this.logger.warn({ entryId, deliveries }, 'taking over a job whose replica stopped heartbeating');
        this.deliver(entryId, fields, deliveries);
      }
      await this.cleanUpConsumers();
    } catch (error) {
      if (String((error as Error).message).includes('NOGROUP')) await this.ensureGroup().catch(() => {});
      else this.logger.debug({ err: error }, 'takeover scan failed');
    }
  }

  /** Consumers of replicas long gone, with nothing pending, are removed so the group does not grow forever. */
  private async cleanUpConsumers(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const consumers = (await this.redis.xinfo('CONSUMERS', this.stream, GROUP)) as (string | number)[][];
    for (const fields of consumers) {
      const info = new Map<string, string | number>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1] as string | number);
      const name = String(info.get('name'));
      if (name !== this.consumer && Number(info.get('pending')) === 0 && Number(info.get('idle')) > 10 * 60_000)
        await this.redis.xgroup('DELCONSUMER', this.stream, GROUP, name);
    }
  }

  /** Works on one entry here, from its checkpoint, until it is done, handed back, or taken by another replica. */
  private deliver(entryId: string, fields: string[], deliveries: number): void {
    const job = readEntry(entryId, fields);
    const controller = new AbortController();
    this.held.set(entryId, { jobId: job.id, controller });
    void this.work(entryId, job, deliveries, controller);
  }

  private async work(entryId: string, job: JournalJob, deliveries: number, controller: AbortController) {
    const saved = await this.redis
      .get(this.checkpointKey(job.id))
      .then((raw) => (raw === null ? undefined : JSON.parse(raw)))
      .catch(() => undefined);
    const lease = this.leaseOf(entryId, job, deliveries, controller, saved);
    try {
      await (this.handler as JobHandler)(lease);
      await lease.done();
    } catch (error) {
      this.logger.error(
        { err: error, jobId: job.id },
        'a job failed unexpectedly; it is handed back to be tried again',
      );
      await lease.release();
    }
  }

  /**
   * The lease on one entry. Once done or released it does nothing more; nor once another replica took the entry
   * (this one stalled past the takeover time): the entry is theirs now, to neither acknowledge nor hand back.
   */
  private leaseOf(
    entryId: string,
    job: JournalJob,
    deliveries: number,
    controller: AbortController,
    saved: unknown,
  ): JobLease {
    let over = false;
    const end = () => {
      const taken = controller.signal.reason instanceof LetGo && controller.signal.reason.why === 'taken';
      if (over || taken) return false;
      over = true;
      this.held.delete(entryId);
      return true;
    };
    return {
      job,
      deliveries,
      saved,
      signal: controller.signal,
      checkpoint: async (state) => {
        if (!over) await this.saveCheckpoint(job.id, state);
      },
      done: async () => {
        if (end()) await this.acknowledge(entryId, job.id);
      },
      release: async () => {
        if (end()) await this.handBack(entryId);
      },
    };
  }

  private checkpointKey(jobId: string): string {
    return this.link.key(`job:${jobId}`);
  }

  private async saveCheckpoint(jobId: string, state: unknown): Promise<void> {
    await this.redis
      .set(this.checkpointKey(jobId), JSON.stringify(state), 'PX', CHECKPOINT_TTL_MS)
      .catch((error) => this.logger.debug({ err: error, jobId }, 'could not save a checkpoint'));
  }

  /** The job is over: its entry and its checkpoint go. */
  private async acknowledge(entryId: string, jobId: string): Promise<void> {
    await this.redis
      .multi()
      .xack(this.stream, GROUP, entryId)
      .xdel(this.stream, entryId)
      .del(this.checkpointKey(jobId))
      .exec()
      .catch((error) => this.logger.warn({ err: error, jobId }, 'could not mark a finished job done'));
  }

  /** Idle "forever": the next scan of any replica takes it at once. */
  private async handBack(entryId: string): Promise<void> {
    await this.redis
      .xclaim(this.stream, GROUP, this.consumer, 0, entryId, 'IDLE', 365 * 24 * 3_600_000, 'JUSTID')
      .catch(() => {});
  }
}

/** A stream entry as the job it records; a payload that is not JSON reads as null (the handler drops it). */
function readEntry(entryId: string, fields: string[]): JournalJob {
  const value = (name: string) => fields[fields.indexOf(name) + 1];
  let payload: unknown;
  try {
    payload = JSON.parse(value('job') ?? 'null');
  } catch {
    payload = null;
  }
  return { id: value('id') ?? entryId, payload };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
