import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../config/redis-config.js';
import type { Logger } from '../../log/logger.js';

export type RedisHealth = 'up' | 'down' | 'connecting';

/**
 * markread's connection to Redis. Commands fail fast while Redis is unreachable (no offline queue, a short
 * command timeout), so every caller can fall back at once instead of hanging; ioredis reconnects forever in the
 * background. The change to "down" and back to "up" is logged once each, never per failed command.
 */
export class RedisLink {
  readonly client: Redis;
  private readonly extra = new Set<Redis>();
  private health: RedisHealth = 'connecting';
  private readonly listeners = new Set<(health: RedisHealth) => void>();
  private closed = false;

  constructor(
    readonly config: RedisConfig,
    private readonly logger: Logger,
  ) {
    this.client = this.connect('commands', { commandTimeout: 2_000 });
    this.client.on('ready', () => this.set('up'));
    this.client.on('close', () => this.set(this.closed ? 'connecting' : 'down'));
  }

  /**
   * A key under the deployment's prefix (`markread:<SDKAppID>:<name>`). Keys are prefixed here, by name, rather
   * than by ioredis's keyPrefix, which does not reach the keys inside stream commands and scripts reliably.
   */
  key(name: string): string {
    return `${this.config.prefix}${name}`;
  }

  /**
   * A key of one IM app, whichever deployment uses it (`markread:<its SDKAppID>:<name>`): what every deployment
   * serving that app shares, its send budget. For the deployment's default app it is the same as key(name).
   */
  appKey(sdkAppId: number, name: string): string {
    return `${this.config.namespace}:${sdkAppId}:${name}`;
  }

  get status(): RedisHealth {
    return this.health;
  }

  get up(): boolean {
    return this.health === 'up';
  }

  onChange(listener: (health: RedisHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when Redis answers, or after `ms` either way; never throws. */
  async ready(ms: number): Promise<boolean> {
    if (this.up) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.up);
      }, ms);
      const off = this.onChange((health) => {
        if (health !== 'up') return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  /** A second connection for blocking reads (XREADGROUP BLOCK), which must not hold up ordinary commands. */
  blockingConnection(): Redis {
    // Its one user waits for Redis to be up before each read, so a read may queue while this connects.
    const connection = this.connect('blocking', { autoResendUnfulfilledCommands: false, enableOfflineQueue: true });
    this.extra.add(connection);
    return connection;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [this.client, ...this.extra];
    await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private connect(name: string, options: RedisOptions): Redis {
    const connection = new Redis(this.config.url.reveal(), {
      connectionName: `markread-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      keepAlive: 10_000,
      // Reconnect forever, at most every 2 s: Redis coming back is noticed within that.
      retryStrategy: (times) => Math.min(100 * times, 2_000),
      ...options,
    });
    // Errors arrive on every failed reconnect; the state change is what gets logged (once), not each error.
    connection.on('error', (error: Error) => {
      if (this.health === 'up') this.logger.debug({ err: error }, 'redis connection error');
      this.lastError = error.message;
    });
    return connection;
  }

  private lastError: string | undefined;

  private set(health: RedisHealth): void {
    if (health === this.health) return;
    const was = this.health;
    this.health = health;
    if (!this.closed) {
      if (health === 'up')
        this.logger.info(
          { redis: 'up', where: this.config.where },
          was === 'down' ? 'redis is back: shared state and the shared budget are in use again' : 'redis connected',
        );
      else if (health === 'down')
        this.logger.error(
          { redis: 'down', where: this.config.where, cause: this.lastError },
          'redis is unreachable: single commands go on with a local budget, new bulk runs are refused until it is back',
        );
    }
    for (const listener of this.listeners) listener(health);
  }
}
