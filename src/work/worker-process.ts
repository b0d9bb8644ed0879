import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SendBudgetFactory } from '../im/send-budget.js';
import type { Logger } from '../log/logger.js';
import { MemoryRunStore, type RunStore } from '../slack/runs.js';
import { remoteBudgets } from './ipc-budget.js';
import { ForkedWorkJournal } from './ipc-journal.js';
import { IpcPeer } from './ipc-peer.js';
import { serveRunStore } from './ipc-run-store.js';
import type { JournalJob } from './journal.js';

/** The worker's niceness: below the web process, which must ack within Slack's 3 s. */
const WORKER_NICE = 10;

/**
 * A young generation of 2 MiB semi-spaces instead of V8's 16: the worker allocates fast and keeps little, and with
 * the default its heap grew to ~220 MiB under a steady 167 commands/s and stayed there. Measured over 30 s of that
 * load: peak 217 → 179 MiB, 10 s after 217 → 89 MiB, with the same ack latencies and outcomes.
 */
const WORKER_V8_FLAGS = ['--max-semi-space-size=2'];

const WORKER_MAIN = fileURLToPath(new URL('../worker-main.js', import.meta.url));

/** Restart backoff for a worker that keeps dying: doubles from 1 s to 30 s, and resets once one stays up a minute. */
const RESTART_MS = { base: 1_000, cap: 30_000, stableMs: 60_000 };

export interface WorkerProcessOptions {
  /** The runs, kept in this process (its buttons act on them) and served to the worker. */
  runs?: RunStore;
  logger: Logger;
  /** The worker's environment: the web process's own, .env included. */
  env: NodeJS.ProcessEnv;
  /** A different entry point (tests). */
  script?: string;
  /** A worker that answers no heartbeat for this long is hung: it is killed and restarted. Default 20 s. */
  unresponsiveMs?: number;
}

/**
 * The follow-up work of every acked command (the IM calls, the thread messages, bulk runs) runs in a worker
 * process this one forks, so acks never wait behind it on one event loop and its heap never grows this one's.
 * The web process keeps the runs (buttons act on them here), records each job in a ForkedWorkJournal that hands
 * it to the worker, and answers the worker's run-store calls and budget questions over IPC. A worker that dies is
 * restarted and handed its unfinished jobs again with their checkpoints; on shutdown it drains like the web
 * process and tells each requester it could not finish.
 */
export class WorkerProcess {
  readonly journal = new ForkedWorkJournal();
  readonly budgets: SendBudgetFactory;
  readonly runs: RunStore;
  private child: ChildProcess | undefined;
  private peer: IpcPeer | undefined;
  private readyPeer: IpcPeer | undefined;
  private state: 'starting' | 'up' | 'restarting' | 'stopping' | 'stopped' = 'starting';
  private lastExit = '';
  private restarts = 0;
  private backoffMs = RESTART_MS.base;
  private restartTimer: NodeJS.Timeout | undefined;
  private firstReady: Promise<boolean> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastAnswer = 0;
  private hung = '';

  constructor(private readonly options: WorkerProcessOptions) {
    // The web process's own IM calls ask the worker for their slots while it is up.
    this.budgets = remoteBudgets(() => this.readyPeer);
    this.runs = options.runs ?? new MemoryRunStore();
  }

  /** For /healthz: `up`, or what it is doing and why. */
  status(): string {
    if (this.state === 'restarting') return `restarting (${this.lastExit}; ${this.restarts} restart(s))`;
    return this.state;
  }

  get backlog(): number {
    return this.journal.backlog;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the worker; resolves true once it is ready, false if it did not get ready within `waitMs`. */
  start(waitMs = 15_000): Promise<boolean> {
    if (!this.heartbeat) this.watch();
    this.firstReady ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.spawn(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    return this.firstReady;
  }

  /**
   * A worker whose event loop is stuck (a bug, a runaway loop) would hold every job it has forever without dying;
   * one that has answered no heartbeat for `unresponsiveMs` is killed, so the restart path takes over.
   */
  private watch(): void {
    const limit = this.options.unresponsiveMs ?? 20_000;
    this.heartbeat = setInterval(
      () => {
        const peer = this.readyPeer;
        if (!peer || this.state !== 'up') return;
        const silentMs = Date.now() - this.lastAnswer;
        if (silentMs > limit) {
          this.hung = `killed after answering nothing for ${Math.round(silentMs / 1000)} s`;
          this.options.logger.error({ silentMs }, `the worker process is not answering; ${this.hung}`);
          this.readyPeer = undefined;
          this.child?.kill('SIGKILL');
          return;
        }
        peer.call('ping').then(
          () => {
            if (peer === this.readyPeer) this.lastAnswer = Date.now();
          },
          () => {},
        );
      },
      Math.max(100, Math.min(5_000, limit / 4)),
    );
    this.heartbeat.unref();
  }

  private spawn(onReady?: () => void): void {
    const log = this.options.logger;
    const started = Date.now();
    const redeliver = this.restarts > 0;
    const child = fork(this.options.script ?? WORKER_MAIN, [], {
      env: this.options.env,
      // Its logs go where ours go; its stdout is unused.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      execArgv: [...process.execArgv, ...WORKER_V8_FLAGS],
    });
    // A child that cannot be spawned or messaged: logged (an 'error' event nobody listens to would be thrown).
    child.on('error', (error) => log.error({ err: error }, 'the worker process could not be started or reached'));
    const peer = new IpcPeer(child);
    this.child = child;
    lowerPriority(child, log);
    this.peer = peer;
    serveRunStore(peer, this.runs);
    peer.handle('ready', () => {
      this.readyPeer = peer;
      this.lastAnswer = Date.now();
      this.journal.attach(peer, redeliver);
      if (this.state !== 'stopping') this.state = 'up';
      if (redeliver)
        log.info(
          { pid: child.pid, backlog: this.journal.backlog },
          'worker process restarted; unfinished work handed to it again',
        );
      else log.debug({ pid: child.pid }, 'worker process ready');
      onReady?.();
    });
    child.once('exit', (code, signal) => {
      this.readyPeer = undefined;
      this.journal.detach();
      if (this.state === 'stopping' || this.state === 'stopped') return;
      this.lastExit = this.hung || (signal ? `killed by ${signal}` : `exited with ${code}`);
      this.hung = '';
      this.state = 'restarting';
      if (Date.now() - started > RESTART_MS.stableMs) this.backoffMs = RESTART_MS.base;
      log.error(
        { exit: this.lastExit, backlog: this.journal.backlog, restartInMs: this.backoffMs },
        `the worker process ${this.lastExit}; restarting it in ${Math.round(this.backoffMs / 1000)} s and handing it the unfinished work again`,
      );
      this.restarts++;
      this.restartTimer = setTimeout(() => this.spawn(onReady), this.backoffMs);
      this.backoffMs = Math.min(RESTART_MS.cap, this.backoffMs * 2);
    });
  }

  /**
   * Lets the worker drain for `drainMs`, tell the requesters of whatever is still unfinished, and exit; kills it
   * if it has not exited a few seconds after that.
   */
  async stop(drainMs: number, graceMs = 8_000): Promise<void> {
    clearTimeout(this.restartTimer);
    clearInterval(this.heartbeat);
    const child = this.child;
    this.state = 'stopping';
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.state = 'stopped';
      return;
    }
    const exited = once(child, 'exit');
    this.peer?.note('stop', drainMs);
    const timer = setTimeout(() => child.kill('SIGKILL'), drainMs + graceMs);
    await exited;
    clearTimeout(timer);
    this.state = 'stopped';
  }

  /** Jobs that were never handed to a worker (it was restarting when markread stopped): nobody has told their requesters. */
  undelivered(): JournalJob[] {
    return this.journal.undelivered();
  }
}

/**
 * Where the two processes compete for a CPU, acks win: the worker runs at a lower scheduling priority (nice 10).
 * It still gets every idle cycle, so on a machine with a core to spare it loses nothing.
 */
function lowerPriority(child: ChildProcess, log: Logger): void {
  if (child.pid === undefined) return;
  try {
    setPriority(child.pid, WORKER_NICE);
  } catch (error) {
    log.debug({ err: error }, 'could not lower the worker process priority; it runs at the same priority');
  }
}
