import { subscribe } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { ImConfig } from '../config/im-config.js';
import type { Logger } from '../log/logger.js';
import { backoffDelayMs } from './backoff.js';
import type { ImCaller } from './caller.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { type ErrorExplanation, explainError } from './error-catalogue.js';
import { PacerAbortedError, type SendSlot, SlidingWindowPacer } from './pacer.js';
import { randomU32 } from './random-u32.js';
import type { ImEndpoint } from './regions.js';
import { type ImApi, type ImEnvelope, imEnvelope } from './response.js';
import type { SendBudget, SendBudgetFactory } from './send-budget.js';
import { createDispatcher, postJson, type TransportFailure } from './transport.js';
import { UserSigCache } from './usersig.js';

export interface CallStats {
  attempts: number;
  durationMs: number;
  /** The `random` of the last attempt: Tencent support can find a request by it. */
  requestId: number;
  requestIds: number[];
  /** Host of the last attempt. */
  host: string;
}

export type CallFailure =
  | TransportFailure
  | { kind: 'deadline'; detail: string }
  | { kind: 'aborted'; detail: string }
  | { kind: 'circuit-open'; detail: string };

/** Limits of one call within a larger operation: its share of the operation's deadline, and of attempts. */
export interface CallLimits {
  /** performance.now() time by which the call must be over (never later than TIM_DEADLINE_MS from its start). */
  deadlineAt?: number;
  maxAttempts?: number;
}

/** No attempt is sent with less time left than this: a request that cannot be answered in time is not made. */
export const MIN_ATTEMPT_MS = 500;

export type CallResult<Res extends ImEnvelope> =
  | { status: 'ok'; response: Res; stats: CallStats }
  | { status: 'fail'; response: ImEnvelope; error: ErrorExplanation; stats: CallStats }
  | { status: 'unreachable'; failure: CallFailure; stats: CallStats };

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
}

/**
 * Requests waiting to be written, by their `random`: undici announces on this channel the moment a request's
 * headers go to the socket, and the pacer then counts the send from that moment rather than from when it
 * granted the slot. `random` is unique per attempt, which makes it the key.
 */
const awaitingSend = new Map<string, SendSlot>();
subscribe('undici:client:sendHeaders', (message) => {
  if (awaitingSend.size === 0) return;
  const path = (message as { request?: { path?: string } }).request?.path ?? '';
  const random = /[?&]random=(\d+)/.exec(path)?.[1];
  if (random === undefined) return;
  awaitingSend.get(random)?.sent(performance.now());
  awaitingSend.delete(random);
});

/** After the primary host fails to connect, use the backup this long before trying the primary again. */
const BACKUP_STICKY_MS = 5 * 60_000;
/** Attempts of one call at most, whatever the deadline allows. */
const MAX_ATTEMPTS = 8;

/**
 * The Tencent Cloud Chat REST client: signs, paces, sends and retries calls to any API. It knows nothing of
 * Slack or of what the call is for; each API module gives it a path, a body and a response schema.
 */
export class ImClient implements ImCaller {
  /** One pacer per API: the documented ceilings are per API (200/s for admin_set_msg_read). */
  private readonly pacers = new Map<string, SendBudget>();
  private readonly sigs: UserSigCache;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly backoff: { baseMs: number; slowDownBaseMs: number; capMs: number };
  private useBackupUntil = 0;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** The controllers of calls under way: close() aborts them, so every call still waiting or in flight ends at once. */
  private readonly active = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: ImClientOptions) {
    const s = options.settings;
    this.sigs = new UserSigCache({
      sdkAppId: s.sdkAppId,
      secretKey: s.secretKey,
      identifier: s.adminIdentifier,
      ttlSeconds: s.userSigTtlSeconds,
      now: options.now,
      onNewUserSig: options.onNewUserSig,
    });
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? createDispatcher(Math.min(s.timeoutMs, 10_000));
    this.backoff = options.backoff ?? { baseMs: 250, slowDownBaseMs: 1_000, capMs: 5_000 };
  }

  /** The pacer of one API, made on first use with the lower of TIM_MAX_RPS and the API's own ceiling. */
  pacerFor(api: Pick<ImApi<ImEnvelope>, 'command' | 'maxRps'>): SendBudget {
    let pacer = this.pacers.get(api.command);
    if (!pacer) {
      const maxPerWindow = Math.min(this.options.settings.maxRps, api.maxRps);
      pacer =
        this.options.budget?.(api.command, maxPerWindow) ??
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
  describeRequest(
    command: string,
    body: unknown,
  ): { method: 'POST'; origin: string; path: string; query: Record<string, string>; body: unknown } {
    const url = this.buildUrl(this.options.settings.endpoint.primary, command, '[not minted]', 0);
    const query = Object.fromEntries(url.searchParams);
    query.random = '<a fresh random u32 per attempt>';
    return { method: 'POST', origin: url.origin, path: url.pathname, query, body };
  }

  /** The breaker of one host, made on first use. */
  breakerFor(host: string): CircuitBreaker {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker({
        ...this.options.breaker,
        onChange: (state, detail) => {
          const log = this.options.logger;
          if (state === 'closed') log.info({ host, breaker: state }, `IM API ${host} answers again: ${detail}`);
          else log.warn({ host, breaker: state }, `IM API ${host}: circuit ${state} (${detail})`);
        },
      });
      this.breakers.set(host, breaker);
    }
    return breaker;
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
      return await this.attempts(
        api,
        body,
        signal,
        limits,
        { wait: wait.signal, hard: hard.signal },
        started,
        deadline,
      );
    } finally {
      clearTimeout(timer);
      clearTimeout(waitTimer);
      signal?.removeEventListener('abort', onAbort);
      this.active.delete(hard);
    }
  }

  private async attempts<Res extends ImEnvelope>(
    api: ImApi<Res>,
    body: object,
    signal: AbortSignal | undefined,
    limits: CallLimits,
    signals: { wait: AbortSignal; hard: AbortSignal },
    started: number,
    deadline: number,
  ): Promise<CallResult<Res>> {
    const { timeoutMs } = this.options.settings;
    const log = this.options.logger;
    const maxAttempts = Math.min(MAX_ATTEMPTS, limits.maxAttempts ?? MAX_ATTEMPTS);
    const waitSignal = signals.wait;
    const bodyText = JSON.stringify(body);
    const pacer = this.pacerFor(api);
    const requestIds: number[] = [];
    let host = '';
    let retries = 0;
    let newSigTried = false;
    let onceMoreTried = false;
    let last: CallResult<Res> | undefined;
    const stats = (): CallStats => ({
      attempts: requestIds.length,
      durationMs: Math.round(performance.now() - started),
      requestId: requestIds.at(-1) ?? 0,
      requestIds,
      host,
    });
    const stopped = (): CallResult<Res> => {
      if (last) return { ...last, stats: stats() };
      const failure: CallFailure = signal?.aborted
        ? { kind: 'aborted', detail: 'stopped before the request was sent' }
        : this.closed
          ? { kind: 'aborted', detail: 'markread is shutting down; not sent' }
          : {
              kind: 'deadline',
              detail: `no send slot in time (${Math.round(deadline - started)} ms; ${pacer.maxPerWindow} calls/s allowed)`,
            };
      return { status: 'unreachable', failure, stats: stats() };
    };

    const circuitOpen = (why: string): CallResult<Res> => ({
      status: 'unreachable',
      failure: { kind: 'circuit-open', detail: why },
      stats: stats(),
    });
    // A call with its own share of a deadline (a proof count) is not queued behind a backlog it cannot get through
    // in time: it is skipped at once, so it neither holds up the operation nor is sent late with no time left.
    if (limits.deadlineAt !== undefined && started + pacer.estimatedWaitMs() + MIN_ATTEMPT_MS > deadline) {
      return {
        status: 'unreachable',
        failure: { kind: 'deadline', detail: `${pacer.queued} calls already waiting at ${pacer.currentLimit}/s` },
        stats: stats(),
      };
    }
    for (;;) {
      let slot: SendSlot;
      try {
        slot = await pacer.acquire(waitSignal, deadline - performance.now() - MIN_ATTEMPT_MS);
      } catch (error) {
        if (error instanceof PacerAbortedError) return stopped();
        throw error;
      }
      // Not worth sending: the answer could not come back before the deadline.
      if (deadline - performance.now() < MIN_ATTEMPT_MS) {
        return last
          ? { ...last, stats: stats() }
          : {
              status: 'unreachable',
              failure: { kind: 'deadline', detail: `less than ${MIN_ATTEMPT_MS} ms left; not sent` },
              stats: stats(),
            };
      }
      const base = this.pickBase();
      const breaker = this.breakerFor(base.host);
      const refused = breaker.refusal();
      if (refused) return last ?? circuitOpen(refused);
      const random = randomU32();
      const sendKey = String(random);
      awaitingSend.set(sendKey, slot);
      requestIds.push(random);
      const userSig = this.sigs.get();
      host = base.host;
      const url = this.buildUrl(base, api.command, userSig, random);
      const attemptTimeout = Math.max(1, Math.min(timeoutMs, deadline - performance.now()));
      const answer = await postJson(this.dispatcher, url, bodyText, attemptTimeout, signals.hard);
      awaitingSend.delete(sendKey);

      let delayBaseMs = this.backoff.baseMs;
      // A request we cancelled says nothing about the host.
      if (answer.ok) breaker.success();
      else if (!signals.hard.aborted) breaker.failure(answer.failure.detail);
      if (!answer.ok) {
        last = { status: 'unreachable', failure: answer.failure, stats: stats() };
        // Per attempt at debug only: the breaker logs one warning per change of state, not one per attempt.
        log.debug(
          { command: api.command, requestId: random, host, failure: answer.failure },
          'IM request got no usable answer',
        );
        if (answer.failure.kind === 'connect' && this.switchToBackup(base)) continue;
      } else {
        const envelope = imEnvelope.safeParse(answer.json);
        if (!envelope.success) {
          last = {
            status: 'unreachable',
            failure: { kind: 'bad-body', detail: 'answer is JSON but not an IM envelope (ActionStatus, ErrorCode)' },
            stats: stats(),
          };
        } else if (envelope.data.ActionStatus === 'OK' && envelope.data.ErrorCode === 0) {
          const typed = api.response.safeParse(answer.json);
          if (typed.success) return { status: 'ok', response: typed.data, stats: stats() };
          last = {
            status: 'unreachable',
            failure: { kind: 'bad-body', detail: `OK answer without the fields ${api.command} returns` },
            stats: stats(),
          };
        } else {
          const error = explainError(envelope.data.ErrorCode, envelope.data.ErrorInfo);
          last = { status: 'fail', response: envelope.data, error, stats: stats() };
          log.debug(
            { command: api.command, requestId: random, errorCode: error.code, retry: error.retry },
            'IM API answered FAIL',
          );
          if (error.retry === 'never') return last;
          if (error.retry === 'new-usersig') {
            if (newSigTried) return last;
            newSigTried = true;
            this.sigs.invalidate(userSig);
            continue;
          }
          if (error.retry === 'once-more') {
            if (onceMoreTried) return last;
            onceMoreTried = true;
          }
          if (error.retry === 'slow-down') {
            // Whether Tencent counts per API or per app is undocumented: slow every API down.
            for (const p of this.pacers.values()) p.slowDown();
            delayBaseMs = this.backoff.slowDownBaseMs;
          }
        }
      }

      retries++;
      const delay = backoffDelayMs(retries, delayBaseMs, this.backoff.capMs);
      if (requestIds.length >= maxAttempts || performance.now() + delay + MIN_ATTEMPT_MS > deadline || signal?.aborted)
        return stopped();
      try {
        await sleep(delay, undefined, { signal: waitSignal });
      } catch {
        return stopped();
      }
    }
  }

  /** Ends every call still waiting or in flight (they end as stopped) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.active) controller.abort();
    for (const pacer of this.pacers.values()) pacer.close();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private pickBase(): URL {
    const { primary, backup } = this.options.settings.endpoint;
    return backup && Date.now() < this.useBackupUntil ? backup : primary;
  }

  /** True if the call should go on at once on the backup host. */
  private switchToBackup(failed: URL): boolean {
    const { primary, backup } = this.options.settings.endpoint;
    if (!backup || failed !== primary) return false;
    this.useBackupUntil = Date.now() + BACKUP_STICKY_MS;
    this.options.logger.warn(
      { primary: primary.host, backup: backup.host },
      'IM primary host unreachable; using the backup host',
    );
    return true;
  }

  private buildUrl(base: URL, command: string, userSig: string, random: number): URL {
    const s = this.options.settings;
    const url = new URL(command, base);
    url.search = new URLSearchParams({
      sdkappid: String(s.sdkAppId),
      identifier: s.adminIdentifier,
      usersig: userSig,
      random: String(random),
      contenttype: 'json',
    }).toString();
    return url;
  }
}
