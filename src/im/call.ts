import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import type { SendBudget, SendSlot } from '../stores/send-budget.js';
import { checkAnswer } from './answer.js';
import type { ErrorExplanation } from './error-catalogue.js';
import type { ImHosts } from './hosts.js';
import type { ImCallObserver } from './observer.js';
import { PacerAbortedError } from './pacer.js';
import type { ImApi, ImEnvelope } from './response.js';
import { type AttemptResult, decideRetry, NO_RETRIES_YET, type RetryState, type RetryTuning } from './retry-policy.js';
import type { RequestSigner, SignedRequest } from './signer.js';
import type { ImTransport, TransportFailure } from './transport.js';

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
  /**
   * The longest the call may expect to wait for a send slot before its first attempt; longer, it is skipped at
   * once. For calls whose answer is worth less than the wait (a proof count beside a mark).
   */
  slotWaitMs?: number;
}

/** No attempt is sent with less time left than this: a request that cannot be answered in time is not made. */
export const MIN_ATTEMPT_MS = 500;

export type CallResult<Res extends ImEnvelope> =
  | { status: 'ok'; response: Res; stats: CallStats }
  | { status: 'fail'; response: ImEnvelope; error: ErrorExplanation; stats: CallStats }
  | { status: 'unreachable'; failure: CallFailure; stats: CallStats };

/** What a client lends each of its calls: the steps every attempt goes through. */
export interface CallSteps {
  pacer: SendBudget;
  hosts: ImHosts;
  signer: RequestSigner;
  transport: ImTransport;
  tuning: RetryTuning;
  timeoutMs: number;
  logger: Logger;
  /** The server said "too many calls": slow this app's calls down. */
  slowDown(): void;
  /** The client is shutting down. */
  closing(): boolean;
  /** Told of waits, retries and refusals (the app's metrics). */
  observer?: ImCallObserver;
}

/** When a call must be over, and what ends it. */
export interface CallBounds {
  started: number;
  deadline: number;
  maxAttempts: number;
  /** The call has its own share of a larger deadline: it is not queued behind a backlog it cannot get through. */
  ownShare: boolean;
  /** See CallLimits.slotWaitMs. */
  slotWaitMs: number;
  /** The caller's stop. */
  signal: AbortSignal | undefined;
  /** Ends waiting (for a send slot or a backoff). */
  wait: AbortSignal;
  /** Ends everything, requests in flight included. */
  hard: AbortSignal;
}

/** An attempt that did not end the call, and what the retry policy needs to know of it. */
type Retryable = { result: AttemptResult; signed: SignedRequest };

/**
 * One call of one API: pace, then (wrapped by failover to the backup host) sign, send and check the answer, and
 * let the retry policy say whether and when to go again.
 */
export class Call<Res extends ImEnvelope> {
  private readonly requestIds: number[] = [];
  private host = '';
  private last: CallResult<Res> | undefined;
  private retries: RetryState = NO_RETRIES_YET;

  constructor(
    private readonly steps: CallSteps,
    private readonly api: ImApi<Res>,
    private readonly body: string,
    private readonly bounds: CallBounds,
  ) {}

  async run(): Promise<CallResult<Res>> {
    const { pacer } = this.steps;
    // A call with its own share of a deadline (a proof count) is not queued behind a backlog it cannot get through
    // in time: it is skipped at once, so it neither holds up the operation nor is sent late with no time left.
    const { ownShare, started, slotWaitMs } = this.bounds;
    if (ownShare && pacer.estimatedWaitMs() > Math.min(this.msLeft(started) - MIN_ATTEMPT_MS, slotWaitMs)) {
      this.steps.observer?.onBudgetRefused(this.api.command);
      return this.unreachable({
        kind: 'deadline',
        detail: `${pacer.queued} calls already waiting at ${pacer.currentLimit}/s`,
      });
    }
    for (;;) {
      const slot = await this.pace();
      if (!slot) return this.stopped();
      // Not worth sending: the answer could not come back before the deadline.
      if (this.msLeft() < MIN_ATTEMPT_MS)
        return this.last
          ? this.refreshed(this.last)
          : this.unreachable({ kind: 'deadline', detail: `less than ${MIN_ATTEMPT_MS} ms left; not sent` });
      const attempt = await this.attempt(slot);
      if ('status' in attempt) return attempt;
      const decision = decideRetry(
        {
          ...this.retries,
          number: this.requestIds.length,
          maxAttempts: this.bounds.maxAttempts,
          msLeft: this.msLeft(),
          stopped: this.bounds.signal?.aborted === true,
          jitter: Math.random(),
        },
        attempt.result,
        this.steps.tuning,
      );
      if (!decision.retry) return this.stopped();
      this.steps.observer?.onRetry(this.api.command);
      if (decision.regenerateSig) this.steps.signer.refused(attempt.signed);
      const backsOff = decision.next.backoffs > this.retries.backoffs;
      this.retries = decision.next;
      if (backsOff && !(await this.backOff(decision.delayMs))) return this.stopped();
    }
  }

  /** Waits for a send slot; undefined if the wait was ended (stop, deadline or shutdown). */
  private async pace(): Promise<SendSlot | undefined> {
    const { observer } = this.steps;
    const asked = performance.now();
    try {
      const slot = await this.steps.pacer.acquire(this.bounds.wait, this.msLeft() - MIN_ATTEMPT_MS);
      observer?.onBudgetWait(this.api.command, (performance.now() - asked) / 1000);
      return slot;
    } catch (error) {
      if (!(error instanceof PacerAbortedError)) throw error;
      // The caller's stop and a shutdown are not a lack of budget; the deadline or the wait bound are.
      if (!this.bounds.signal?.aborted && !this.steps.closing()) observer?.onBudgetRefused(this.api.command);
      return undefined;
    }
  }

  /** One attempt on the host failover picks: its breaker, sign, send, check the answer. */
  private async attempt(slot: SendSlot): Promise<CallResult<Res> | Retryable> {
    const { hosts, signer, transport } = this.steps;
    const base = hosts.pick();
    const breaker = hosts.breakerFor(base.host);
    const refused = breaker.refusal();
    if (refused) return this.last ?? this.unreachable({ kind: 'circuit-open', detail: refused });
    const signed = signer.sign(base, this.api.command);
    this.requestIds.push(signed.random);
    this.host = base.host;
    const timeoutMs = Math.max(1, Math.min(this.steps.timeoutMs, this.msLeft()));
    const answer = await transport.post(signed.url, this.body, timeoutMs, this.bounds.hard, (at) => slot.sent(at));
    // A request we cancelled says nothing about the host.
    if (answer.ok) breaker.success();
    else if (!this.bounds.hard.aborted) breaker.failure(answer.failure.detail);
    const checked = checkAnswer(this.api, answer);
    if (checked.kind === 'ok') return { status: 'ok', response: checked.response, stats: this.stats() };
    if (checked.kind === 'fail') {
      this.last = { status: 'fail', response: checked.response, error: checked.error, stats: this.stats() };
      const { code, retry } = checked.error;
      this.steps.logger.debug(
        { command: this.api.command, requestId: signed.random, errorCode: code, retry },
        'IM API answered FAIL',
      );
      if (retry === 'slow-down') {
        this.steps.slowDown();
        this.steps.observer?.onFrequencyLimit(this.api.command);
      }
      return { result: { kind: 'fail', retry }, signed };
    }
    this.last = { status: 'unreachable', failure: checked.failure, stats: this.stats() };
    // Per attempt at debug only: the breaker logs one warning per change of state, not one per attempt.
    if (!answer.ok)
      this.steps.logger.debug(
        { command: this.api.command, requestId: signed.random, host: this.host, failure: answer.failure },
        'IM request got no usable answer',
      );
    const failedOver = !answer.ok && answer.failure.kind === 'connect' && hosts.failOver(base);
    return {
      result: { kind: 'no-answer', written: answer.written, idempotent: this.api.idempotent !== false, failedOver },
      signed,
    };
  }

  /** False if the wait was ended. */
  private async backOff(delayMs: number): Promise<boolean> {
    try {
      await sleep(delayMs, undefined, { signal: this.bounds.wait });
      return true;
    } catch {
      return false;
    }
  }

  private msLeft(now = performance.now()): number {
    return this.bounds.deadline - now;
  }

  private stats(): CallStats {
    return {
      attempts: this.requestIds.length,
      durationMs: Math.round(performance.now() - this.bounds.started),
      requestId: this.requestIds.at(-1) ?? 0,
      requestIds: this.requestIds,
      host: this.host,
    };
  }

  private refreshed(result: CallResult<Res>): CallResult<Res> {
    return { ...result, stats: this.stats() };
  }

  private unreachable(failure: CallFailure): CallResult<Res> {
    return { status: 'unreachable', failure, stats: this.stats() };
  }

  /** The call ends without a new attempt: the last attempt's result, or why none was made. */
  private stopped(): CallResult<Res> {
    if (this.last) return this.refreshed(this.last);
    const { started, deadline, signal } = this.bounds;
    if (signal?.aborted) return this.unreachable({ kind: 'aborted', detail: 'stopped before the request was sent' });
    if (this.steps.closing())
      return this.unreachable({ kind: 'aborted', detail: 'markread is shutting down; not sent' });
    return this.unreachable({
      kind: 'deadline',
      detail: `no send slot in time (${Math.round(deadline - started)} ms; ${this.steps.pacer.maxPerWindow} calls/s allowed)`,
    });
  }
}
