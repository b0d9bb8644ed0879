import type { RedisConfig } from '../config/redis-config.js';
import type { Logger } from '../log/logger.js';
import type { AuditHistory } from '../stores/audit-history.js';
import type { SendBudgetFactory } from '../stores/send-budget.js';

/** What the CLI shares with the app's replicas on Redis. */
export interface CliSharedState {
  /** The send budgets, so that together they stay under each app's ceiling. */
  budgets: SendBudgetFactory;
  /** The App Home history, so the Home tab lists what was done at the CLI too (a Slack outage's work above all). */
  history: AuditHistory;
  /** Waits (until `deadline`) for the history's writes, then closes the connection. */
  close(deadline: number): Promise<void>;
}

/**
 * The state the CLI shares with the app's replicas on Redis (REDIS_URL). Redis's modules, and ioredis, are loaded
 * only here: a CLI without REDIS_URL never loads them.
 */
export async function cliSharedState(redis: RedisConfig, logger: Logger): Promise<CliSharedState> {
  const [{ RedisLink }, { redisBudgets }, { RedisAuditHistory }] = await Promise.all([
    import('../stores/redis/link.js'),
    import('../stores/redis/send-budget.js'),
    import('../stores/redis/audit-history.js'),
  ]);
  const link = new RedisLink(redis, logger.child({ component: 'redis' }));
  if (!(await link.ready(2_000)))
    logger.warn(
      `Redis (${redis.where}) is unreachable: pacing on this machine alone, at a quarter of TIM_MAX_RPS, so the app's replicas keep their share`,
    );
  const history = new RedisAuditHistory(link, logger, { days: redis.historyDays });
  return {
    budgets: redisBudgets(link, logger),
    history,
    async close(deadline) {
      await history.flush(deadline);
      await link.close();
    },
  };
}
