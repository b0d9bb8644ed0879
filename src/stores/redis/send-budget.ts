import { localSharePacer, PacerAbortedError, type SlidingWindowPacer } from '../../im/pacer.js';
import type { Logger } from '../../log/logger.js';
import type { SendBudget, SendBudgetFactory, SendSlot } from '../send-budget.js';
import type { RedisLink } from './link.js';
import { redisScript } from './script.js';

/**
 * GCRA (the generic cell rate algorithm) in one atomic script, on Redis's clock so every replica shares one:
 * each caller reserves the next free instant, spaced window/limit apart, and sleeps until it. That is an even
 * spacing under a sliding window, which the maintained limiters do not give (rate-limiter-flexible and BullMQ
 * count in fixed windows, which allow twice the rate across a window boundary). A "slow" halves the shared rate;
 * it climbs back by a tenth of the ceiling per quiet window, as the in-process pacer does. Times are in µs.
 * Returns {wait, limit}: wait < 0 means the slot is further away than the caller's horizon and was not taken.
 */
const GCRA = `
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local op = ARGV[3]
local horizon = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', KEYS[1], 'tat', 'limit', 'adj')
local tat = tonumber(h[1]) or now
local limit = math.min(max, tonumber(h[2]) or max)
local adj = tonumber(h[3]) or now
if limit < max then
  local quiet = math.floor((now - adj) / window)
  if quiet > 0 then
    limit = math.min(max, limit + quiet * math.max(1, math.ceil(max / 10)))
    adj = adj + quiet * window
  end
else
  adj = now
end
local at = math.max(tat, now)
if op == 'slow' then
  limit = math.max(1, math.floor(limit / 2))
  adj = now
elseif at - now > horizon then
  return {-1, limit}
else
  tat = at + math.floor(window / limit)
end
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', math.max(tat, now)), 'limit', limit, 'adj', string.format('%.0f', adj))
redis.call('PEXPIRE', KEYS[1], 60000)
return {at - now, limit}
`;

export interface RedisBudgetOptions {
  windowMs?: number;
  /** Added to the window, as in the in-process pacer: arrivals at the server are a little spread out. */
  marginMs?: number;
}

/** One API's budget, shared through Redis by every replica and the CLI; a local pacer stands in while it is down. */
export class RedisSendBudget implements SendBudget {
  readonly maxPerWindow: number;
  private readonly windowUs: number;
  private readonly gcra: (keys: string[], args: (string | number)[]) => Promise<[number, number]>;
  private readonly fallback: SlidingWindowPacer;
  private limit: number;
  private waiting = 0;
  /** When the last reserved slot falls, by this process's clock: the backlog ahead of a new caller. */
  private backlogUntil = 0;
  /** Callers sleeping until their reserved slot; close() wakes them with PacerAbortedError. */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly link: RedisLink,
    private readonly key: string,
    maxPerWindow: number,
    private readonly logger: Logger,
    options: RedisBudgetOptions = {},
  ) {
    this.maxPerWindow = maxPerWindow;
    this.limit = maxPerWindow;
    // A wider margin than the in-process pacer's 25 ms: two processes' timers run late independently, and a
    // stall in one can bunch its departures against the other's.
    this.windowUs = ((options.windowMs ?? 1_000) + (options.marginMs ?? 50)) * 1_000;
    this.gcra = redisScript(link.client, 'markreadGcra', 1, GCRA);
    this.fallback = localSharePacer(maxPerWindow, { windowMs: options.windowMs, marginMs: options.marginMs });
  }

  get currentLimit(): number {
    return this.link.up ? this.limit : this.fallback.currentLimit;
  }

  get queued(): number {
    return this.link.up ? this.waiting : this.fallback.queued;
  }

  estimatedWaitMs(): number {
    if (!this.link.up) return this.fallback.estimatedWaitMs();
    const backlog = Math.max(0, this.backlogUntil - performance.now());
    return backlog + this.windowUs / 1_000 / this.limit;
  }

  async acquire(signal?: AbortSignal, maxWaitMs = 60_000): Promise<SendSlot> {
    if (signal?.aborted) throw new PacerAbortedError();
    if (!this.link.up) return this.fallback.acquire(signal, maxWaitMs);
    this.waiting++;
    try {
      let reply: [number, number];
      try {
        reply = await this.gcra([this.key], [this.maxPerWindow, this.windowUs, 'take', Math.max(0, maxWaitMs) * 1_000]);
      } catch (error) {
        this.logger.debug({ err: error }, 'shared budget unavailable; using the local one');
        return await this.fallback.acquire(signal, maxWaitMs);
      }
      const [waitUs, limit] = reply;
      this.limit = limit;
      if (waitUs < 0) throw new PacerAbortedError();
      this.backlogUntil = performance.now() + waitUs / 1_000;
      if (waitUs >= 1_000) await this.sleep(waitUs / 1_000, signal);
      return { sent: () => {} };
    } finally {
      this.waiting--;
    }
  }

  slowDown(): void {
    this.fallback.slowDown();
    if (!this.link.up) return;
    this.gcra([this.key], [this.maxPerWindow, this.windowUs, 'slow', 0]).then(
      ([, limit]) => {
        this.limit = limit;
      },
      () => {},
    );
  }

  close(): void {
    for (const wake of [...this.sleepers.values()]) wake();
    this.fallback.close();
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.sleepers.delete(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(new PacerAbortedError());
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.sleepers.set(timer, onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Budgets keyed by IM app and API command (`markread:<SDKAppID>:budget:<command>`): keyed by the app's own
 * SDKAppID rather than the deployment's, so every deployment serving an app (a staging deployment's second app
 * is production's first) shares that app's one budget, and two apps of one deployment never share one.
 */
export function redisBudgets(link: RedisLink, logger: Logger, options: RedisBudgetOptions = {}): SendBudgetFactory {
  return (command, maxPerWindow, sdkAppId) =>
    new RedisSendBudget(link, link.appKey(sdkAppId, `budget:${command}`), maxPerWindow, logger, options);
}
