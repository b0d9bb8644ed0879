import type { RedisConfig } from '../../config/redis-config.js';
import type { Logger } from '../../log/logger.js';
import type { SharedState } from '../shared-state.js';
import { RedisAuditHistory } from './audit-history.js';
import { RedisLink } from './link.js';
import { RedisReplayGuard } from './replay-guard.js';
import { RedisRunStore } from './runs.js';
import { redisBudgets } from './send-budget.js';
import { type RedisJournalOptions, RedisWorkJournal } from './work-journal.js';

/** Every replica of one deployment (and the CLI) on one Redis. Imported only when REDIS_URL is set. */
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
    history: new RedisAuditHistory(link, log, { days: config.historyDays }),
    budgets: redisBudgets(link, log),
    role: config.role,
    health: () => link.status,
    close: () => link.close(),
  };
}
