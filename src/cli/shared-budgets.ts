import type { RedisConfig } from '../config/redis-config.js';
import type { Logger } from '../log/logger.js';
import type { SendBudgetFactory } from '../stores/send-budget.js';

/**
 * The send budgets the CLI shares with the app's replicas on Redis (REDIS_URL), so that together they stay under
 * the ceiling. Redis's modules, and ioredis, are loaded only here: a CLI without REDIS_URL never loads them.
 */
export async function sharedBudgets(
  redis: RedisConfig,
  logger: Logger,
): Promise<{ budgets: SendBudgetFactory; close(): Promise<void> }> {
  const [{ RedisLink }, { redisBudgets }] = await Promise.all([
    import('../stores/redis/link.js'),
    import('../stores/redis/send-budget.js'),
  ]);
  const link = new RedisLink(redis, logger.child({ component: 'redis' }));
  if (!(await link.ready(2_000)))
    logger.warn(
      `Redis (${redis.where}) is unreachable: pacing on this machine alone, at a quarter of TIM_MAX_RPS, so the app's replicas keep their share`,
    );
  return { budgets: redisBudgets(link, logger), close: () => link.close() };
}
