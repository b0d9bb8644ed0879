import type { Logger } from '../log/logger.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { ImCallObserver } from './observer.js';
import type { ImEndpoint } from './regions.js';

/** After the primary host fails to connect, use the backup this long before trying the primary again. */
const BACKUP_STICKY_MS = 5 * 60_000;

/**
 * Failover between one app's primary and backup host, and a circuit breaker per host. Every attempt asks here
 * where to go, and tells the breaker of that host how it went.
 */
export class ImHosts {
  private useBackupUntil = 0;
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly endpoint: ImEndpoint,
    private readonly logger: Logger,
    private readonly breaker?: { threshold: number; cooldownMs: number },
    private readonly observer?: Pick<ImCallObserver, 'onBreakerChange'>,
  ) {}

  /** The host the next attempt goes to: the backup for a while after the primary failed to connect. */
  pick(): URL {
    const { primary, backup } = this.endpoint;
    return backup && Date.now() < this.useBackupUntil ? backup : primary;
  }

  /** The primary failed to connect: true if the call should go on at once on the backup host. */
  failOver(failed: URL): boolean {
    const { primary, backup } = this.endpoint;
    if (!backup || failed !== primary) return false;
    this.useBackupUntil = Date.now() + BACKUP_STICKY_MS;
    this.logger.warn(
      { primary: primary.host, backup: backup.host },
      'IM primary host unreachable; using the backup host',
    );
    return true;
  }

  /** The breaker of one host, made on first use. */
  breakerFor(host: string): CircuitBreaker {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker({
        ...this.breaker,
        onChange: (state, detail) => {
          this.observer?.onBreakerChange(host, state);
          if (state === 'closed') this.logger.info({ host, breaker: state }, `IM API ${host} answers again: ${detail}`);
          else this.logger.warn({ host, breaker: state }, `IM API ${host}: circuit ${state} (${detail})`);
        },
      });
      this.breakers.set(host, breaker);
    }
    return breaker;
  }
}
