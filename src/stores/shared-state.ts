import type { Role } from '../config/redis-config.js';
import { type AuditHistory, MemoryAuditHistory } from './audit-history.js';
import { MemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { MemoryRunStore, type RunStore } from './runs.js';
import type { SendBudgetFactory } from './send-budget.js';
import { MemoryWorkJournal, type WorkJournal } from './work-journal.js';

/** Everything replicas must agree on, behind the small interfaces the app uses. */
export interface SharedState {
  runs: RunStore;
  replay: ReplayGuard;
  journal: WorkJournal;
  /** The recent headline audit events, for the App Home tab. */
  history: AuditHistory;
  /** Send budgets shared with other replicas and the CLI; undefined means each process paces itself. */
  budgets: SendBudgetFactory | undefined;
  /** What this process does: receive, work, or both (only with Redis can it be less than both). */
  role: Role;
  /** 'none' without Redis; otherwise Redis's state, for /healthz and for refusing bulk runs while it is down. */
  health(): 'none' | 'up' | 'down' | 'connecting';
  close(): Promise<void>;
}

/**
 * One process, nothing to install: the default without REDIS_URL. Honest limit: everything lives in this
 * process's memory, so a restart forgets unconfirmed runs and the App Home history, and loses work not yet finished
 * (a shutdown tells those requesters; a crash cannot). `queue` bounds the work (tests make it small).
 */
export function memoryState(queue?: ConstructorParameters<typeof MemoryWorkJournal>[0]): SharedState {
  return {
    runs: new MemoryRunStore(),
    replay: new MemoryReplayGuard(),
    journal: new MemoryWorkJournal(queue),
    history: new MemoryAuditHistory(),
    budgets: undefined,
    role: 'all',
    health: () => 'none',
    close: async () => {},
  };
}
