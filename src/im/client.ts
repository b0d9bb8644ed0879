import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ImConfig } from '../config/im-config.js';
import type { Logger } from '../log/logger.js';
import type { SendBudget, SendBudgetFactory } from '../stores/send-budget.js';
import { Call, type CallLimits, type CallResult, type CallSteps, MIN_ATTEMPT_MS } from './call.js';
import type { ImCaller, RequestDescription } from './caller.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { ImHosts } from './hosts.js';
import type { ImCallObserver } from './observer.js';
import { SlidingWindowPacer } from './pacer.js';
import type { ImEndpoint } from './regions.js';
import type { ImApi, ImEnvelope } from './response.js';
import { RequestSigner } from './signer.js';
import { createDispatcher, ImTransport } from './transport.js';

export type { CallFailure, CallLimits, CallResult, CallStats } from './call.js';
export { MIN_ATTEMPT_MS } from './call.js';

export type ImClientSettings = Pick<
  ImConfig,
  | 'sdkAppId'
  | 'secretKey'
  | 'adminIdentifier'
  | 'endpoint'
  | 'maxRps'
  | 'timeoutMs'
  | 'deadlineMs'
  | 'userSigTtlSeconds'
>;

export interface ImClientOptions {
  settings: ImClientSettings;
  logger: Logger;
  /** Told about each new UserSig so log redaction knows it. */
  onNewUserSig?: (userSig: string) => void;
  dispatcher?: Dispatcher;
  /** Backoff tuning; tests shorten it. */
  backoff?: { baseMs: number; slowDownBaseMs: number; capMs: number };
  /** Wall clock for UserSig renewal. */
  now?: () => number;
  pacerMarginMs?: number;
  /** Where send budgets come from: shared through Redis across replicas, or (by default) this process's own. */
  budget?: SendBudgetFactory;
  /** Circuit breaker tuning per host; tests shorten the cool-down. */
  breaker?: { threshold: number; cooldownMs: number };
  /** Told of each call's duration, retries, budget waits and breaker changes (the app's metrics); none by default. */
  observer?: ImCallObserver;
}

/** Attempts of one call at most, whatever the deadline allows. */
const MAX_ATTEMPTS = 8;

/**
 * The Tencent Cloud Chat REST client of one IM app: signs, paces, sends and retries calls to any API. It knows
 * nothing of Slack or of what the call is for; each API module gives it a path, a body and a response schema.
 * Everything it keeps (UserSig, pacers, hosts and breakers, connections) is its own: two clients share nothing.
 */
export class ImClient implements ImCaller {
  /** One pacer per API: the documented ceilings are per API (200/s for admin_set_msg_read). */
  private readonly pacers = new Map<string, SendBudget>();
  private readonly signer: RequestSigner;
  private readonly hosts: ImHosts;
  private readonly transport: ImTransport;
  /** The steps every call goes through, but its API's pacer. */
  private readonly steps: Omit<CallSteps, 'pacer'>;
  /** The controllers of calls under way: close() aborts them, so every call still waiting or in flight ends at once. */
  private readonly active = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: ImClientOptions) {
    const s = options.settings;
    this.signer = new RequestSigner(s, { now: options.now, onNewUserSig: options.onNewUserSig });
    this.hosts = new ImHosts(s.endpoint, options.logger, options.breaker, options.observer);
    this.transport = new ImTransport(
      options.dispatcher ?? createDispatcher(Math.min(s.timeoutMs, 10_000)),
      options.dispatcher === undefined,
    );
    this.steps = {
      hosts: this.hosts,
      signer: this.signer,
      transport: this.transport,
      tuning: {
        ...(options.backoff ?? { baseMs: 250, slowDownBaseMs: 1_000, capMs: 5_000 }),
        minAttemptMs: MIN_ATTEMPT_MS,
      },
      timeoutMs: s.timeoutMs,
      logger: options.logger,
      // Whether Tencent counts per API or per app is undocumented: slow every API down.
      slowDown: () => {
        for (const pacer of this.pacers.values()) pacer.slowDown();
      },
      closing: () => this.closed,
      observer: options.observer,
    };
  }

  /** The pacer of one API, made on first use with the lower of TIM_MAX_RPS and the API's own ceiling. */
  pacerFor(api: Pick<ImApi<ImEnvelope>, 'command' | 'maxRps'>): SendBudget {
    let pacer = this.pacers.get(api.command);
    if (!pacer) {
      const maxPerWindow = Math.min(this.options.settings.maxRps, api.maxRps);
      pacer =
        this.options.budget?.(api.command, maxPerWindow, this.options.settings.sdkAppId) ??
        new SlidingWindowPacer({ maxPerWindow, marginMs: this.options.pacerMarginMs });
      this.pacers.set(api.command, pacer);
    }
    return pacer;
  }

  /** TIM_DEADLINE_MS: what a person waits for one operation at most. */
  get deadlineMs(): number {
    return this.options.settings.deadlineMs;
  }

  get endpoint(): ImEndpoint {
    return this.options.settings.endpoint;
  }

  /** A request as it would be sent, with the UserSig left out: for dry runs. */
  describeRequest(command: string, body: unknown): RequestDescription {
    const url = this.signer.url(this.options.settings.endpoint.primary, command, '[not minted]', 0);
    const query = Object.fromEntries(url.searchParams);
    query.random = '<a fresh random u32 per attempt>';
    return { method: 'POST', origin: url.origin, path: url.pathname, query, body };
  }

  /** The breaker of one host, made on first use. */
  breakerFor(host: string): CircuitBreaker {
    return this.hosts.breakerFor(host);
  }

  async call<Res extends ImEnvelope>(
    api: ImApi<Res>,
    body: object,
    signal?: AbortSignal,
    limits: CallLimits = {},
  ): Promise<CallResult<Res>> {
    const started = performance.now();
    const deadline = Math.min(
      started + this.options.settings.deadlineMs,
      limits.deadlineAt ?? Number.POSITIVE_INFINITY,
    );
    // `hard` ends everything, requests in flight included: the deadline or close(). `wait` also ends on the
    // caller's stop, which only stops waiting (a request already sent is let finish, so its outcome is known).
    // Plain controllers rather than AbortSignal.any: on Node 20 that keeps every dependent of a long-lived signal
    // alive, and a bulk run makes tens of thousands.
    const hard = new AbortController();
    const wait = new AbortController();
    // A little after the deadline, so an attempt's own timeout (cut to the deadline) reports itself as a timeout.
    const timer = setTimeout(() => hard.abort(), Math.max(0, Math.round(deadline - started)) + 50);
    const onAbort = () => wait.abort();
    hard.signal.addEventListener('abort', onAbort, { once: true });
    // Waiting (for a send slot or a backoff) ends when an attempt could no longer be answered in time, so a
    // waiter leaves the queue instead of taking a slot it cannot use.
    const waitTimer = setTimeout(onAbort, Math.max(0, Math.round(deadline - started - MIN_ATTEMPT_MS)));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) wait.abort();
    this.active.add(hard);
    try {
      const maxAttempts = Math.min(MAX_ATTEMPTS, limits.maxAttempts ?? MAX_ATTEMPTS);
      const ownShare = limits.deadlineAt !== undefined;
      const slotWaitMs = limits.slotWaitMs ?? Number.POSITIVE_INFINITY;
      const bounds = { started, deadline, maxAttempts, ownShare, slotWaitMs, signal };
      const call = new Call({ ...this.steps, pacer: this.pacerFor(api) }, api, JSON.stringify(body), {
        ...bounds,
        wait: wait.signal,
        hard: hard.signal,
      });
      const result = await call.run();
      this.options.observer?.onCall(api.command, (performance.now() - started) / 1000, result.status);
      return result;
    } finally {
      clearTimeout(timer);
      clearTimeout(waitTimer);
      signal?.removeEventListener('abort', onAbort);
      this.active.delete(hard);
    }
  }

  /** Ends every call still waiting or in flight (they end as stopped) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.active) controller.abort();
    for (const pacer of this.pacers.values()) pacer.close();
    await this.transport.close();
  }
}
