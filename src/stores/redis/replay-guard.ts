import type { Logger } from '../../log/logger.js';
import { MemoryReplayGuard, type ReplayGuard } from '../replay-guard.js';
import type { RedisLink } from './link.js';

/**
 * Replays seen by any replica: SET NX PX is one atomic step, so of two replicas handed the same signed request,
 * exactly one acts. While Redis is unreachable each replica remembers on its own (the memory guard), which still
 * stops a replay to the same replica.
 */
export class RedisReplayGuard implements ReplayGuard {
  private readonly local = new MemoryReplayGuard();

  constructor(
    private readonly link: RedisLink,
    private readonly logger: Logger,
  ) {}

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    const first = await this.local.firstSeen(key, ttlMs);
    if (!first || !this.link.up) return first;
    try {
      const set = await this.link.client.set(this.link.key(`seen:${key}`), '1', 'PX', ttlMs, 'NX');
      return set === 'OK';
    } catch (error) {
      this.logger.debug({ err: error }, 'replay check fell back to this replica alone');
      return true;
    }
  }
}
