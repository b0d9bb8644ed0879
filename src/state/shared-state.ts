import type { RedisConfig, Role } from '../config/redis-config.js';
import type { SendBudgetFactory } from '../im/send-budget.js';
import type { Logger } from '../log/logger.js';
import { MemoryReplayGuard, type ReplayGuard } from '../slack/replay-guard.js';
import { MemoryRunStore, type RunStore } from '../slack/runs.js';
import { MemoryWorkJournal, type WorkJournal } from '../work/journal.js';
import type { WorkerProcess } from '../work/worker-process.js';
import { type RedisJournalOptions, RedisWorkJournal } from './redis-journal.js';
import { RedisLink } from './redis-link.js';
import { RedisReplayGuard } from './redis-replay-guard.js';
import { RedisRunStore } from './redis-run-store.js';
import { redisBudgets } from './redis-send-budget.js';

/** Everything replicas must agree on, behind the small interfaces the app uses. */
export interface SharedState {
  runs: RunStore;
  replay: ReplayGuard;
  journal: WorkJournal;
  /** Send budgets shared with other replicas and the CLI; undefined means each process paces itself. */
  budgets: SendBudgetFactory | undefined;
  /** What this process does: receive, work, or both (only with Redis can it be less than both). */
  role: Role;
  /** 'none' without Redis; otherwise Redis's state, for /healthz and for refusing bulk runs while it is down. */
  health(): 'none' | 'up' | 'down' | 'connecting';
  close(): Promise<void>;
  /** Set when the work runs in a worker process this one started: what it is doing, and the jobs it has not finished. */
  worker?: { status(): string; readonly backlog: number };
}

/** One process, nothing to install: the default without REDIS_URL. */
export function memoryState(): SharedState {
  return {
    runs: new MemoryRunStore(),
    replay: new MemoryReplayGuard(),
    journal: new MemoryWorkJournal(),
    budgets: undefined,
    role: 'all',
    health: () => 'none',
    close: async () => {},
  };
}

/**
 * One deployment, no Redis, two processes: this one receives and acks, and the worker it forks does the work. The
 * runs and replays stay here (buttons and requests arrive here); jobs and budget questions go to the worker.
 */
export function forkedState(worker: WorkerProcess): SharedState {
  return {
    runs: worker.runs,
    replay: new MemoryReplayGuard(),
    journal: worker.journal,
    budgets: worker.budgets,
    role: 'all',
    health: () => 'none',
    close: async () => {},
    worker,
  };
}

/** Every replica of one deployment (and the CLI) on one Redis. */
export function redisState(
  config: RedisConfig,
  logger: Logger,
  options: { journal?: RedisJournalOptions } = {},
): SharedState & { link: RedisLink } {
  const log = logger.child({ component: 'redis' });
  const link = new RedisLink(config, log);
  return {
    link,
    runs: new RedisRunStore(link),
    replay: new RedisReplayGuard(link, log),
    // Renewed five times per takeover period: a replica must miss several renewals in a row to lose its work.
    journal: new RedisWorkJournal(link, log, {
      staleAfterMs: config.takeoverMs,
      heartbeatMs: Math.round(config.takeoverMs / 5),
      scanMs: Math.round(config.takeoverMs / 3),
      ...options.journal,
    }),
    budgets: redisBudgets(link, log),
    role: config.role,
    health: () => link.status,
    close: () => link.close(),
  };
}
