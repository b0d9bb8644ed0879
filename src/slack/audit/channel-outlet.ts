import { type ChatPostMessageArguments, ErrorCode, WebClient } from '@slack/web-api';
import { type AuditEvent, isHeadline } from '../../audit/event.js';
import type { AuditOutlet } from '../../audit/sink.js';
import type { AuditChannelConfig } from '../../config/slack-config.js';
import { SlidingWindowPacer } from '../../im/pacer.js';
import type { Logger } from '../../log/logger.js';
import type { Redactor } from '../../log/redactor.js';
import type { SendBudget, SendBudgetFactory } from '../../stores/send-budget.js';
import { auditMessage } from '../blocks/audit.js';
import { boltLogger } from '../transport/bolt-logger.js';
import { scrubbingFetch } from '../transport/scrubbing.js';
import { webClientOptions } from '../transport/web-client.js';
import { type Attempt, type DropCause, PostQueue } from './post-queue.js';

/** The metadata event type other tools filter the audit channel's messages on. */
/**
 * The channel's pace is Slack's, not an IM app's: its budget key sits under SDKAppID 0, the same for every
 * deployment on this Redis posting there, so together they keep to about one post per second.
 */
const NOT_AN_IM_APP = 0;

export const AUDIT_EVENT_TYPE = 'markread_audit';

/** Slack's answers worth another try; any other error code would come back the same. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** The channel's numbers, for /healthz. */
export interface AuditChannelStats {
  channel: string;
  depth: number;
  dropped: number;
  posted: number;
}

/** Test and tuning knobs, never environment variables. */
export interface AuditChannelTuning {
  /** The local pace: one post per this many ms (default 1,000, plus a 100 ms margin: about one a second). */
  intervalMs?: number;
  /** Queue capacity (default 1,000). */
  capacity?: number;
  /** Budgets shared with other replicas (Redis): the channel's rate is spent as `audit:<channel>`, 1 per window. */
  budgets?: SendBudgetFactory;
}

export interface AuditChannelOptions extends AuditChannelTuning {
  channel: string;
  /** chat.postMessage by a client that does not retry by itself: this outlet's queue owns every retry. */
  post(args: ChatPostMessageArguments): Promise<unknown>;
  logger: Logger;
  /** Called by close() before the queue stops, to abort a post in flight (the client's requests). */
  onClose?: () => void;
}

/**
 * Outlet 2: one short message per headline event in MARKREAD_AUDIT_CHANNEL, with the event itself as Slack
 * message metadata (`event_type` markread_audit) for other tools. accept() only queues: a slow or absent Slack
 * never slows an ack or a mark, and the log line (outlet 1) already has the event whatever happens here.
 */
export class AuditChannelOutlet implements AuditOutlet {
  readonly name = 'audit-channel';
  private readonly queue: PostQueue<AuditEvent>;
  private readonly budget: SendBudget;
  /** Error codes and causes already logged: each is logged once clearly, then at debug. */
  private readonly told = new Set<string>();

  constructor(private readonly options: AuditChannelOptions) {
    const { channel, budgets, intervalMs } = options;
    this.budget =
      budgets?.(`audit:${channel}`, 1, NOT_AN_IM_APP) ??
      new SlidingWindowPacer({ maxPerWindow: 1, windowMs: intervalMs ?? 1_000, marginMs: intervalMs ? 0 : 100 });
    this.queue = new PostQueue({
      post: (event) => this.post(event),
      budget: this.budget,
      capacity: options.capacity,
      onDrop: (cause, problem) => this.dropped(cause, problem),
    });
  }

  get channel(): string {
    return this.options.channel;
  }

  /** Why the last attempt failed, in words (with the fix when the bot cannot post there); undefined if none has. */
  get lastProblem(): string | undefined {
    const { lastProblem } = this.queue;
    return lastProblem === undefined ? undefined : problemText(lastProblem, this.options.channel);
  }

  accept(event: AuditEvent): void {
    if (isHeadline(event)) this.queue.push(event);
  }

  /** Resolves once everything accepted so far is posted or dropped, or at `deadline` (epoch ms). */
  async flush(deadline: number): Promise<void> {
    await this.queue.flush(deadline);
  }

  /** Stops posting, aborting a post in flight; what is still queued is dropped (and logged once). */
  async close(): Promise<void> {
    this.options.onClose?.();
    await this.queue.close();
    this.budget.close();
  }

  stats(): AuditChannelStats {
    const { queue } = this;
    return { channel: this.options.channel, depth: queue.depth, dropped: queue.droppedTotal, posted: queue.posted };
  }

  private async post(event: AuditEvent): Promise<Attempt> {
    const metadata = { event_type: AUDIT_EVENT_TYPE, event_payload: event as unknown as Record<string, never> };
    try {
      await this.options.post({ channel: this.options.channel, ...auditMessage(event), metadata, unfurl_links: false });
      return { kind: 'posted' };
    } catch (error) {
      return attemptOf(error);
    }
  }

  private dropped(cause: DropCause, problem: string | undefined): void {
    const { channel, logger } = this.options;
    const key = cause === 'refused' ? `refused:${problem}` : cause;
    const first = !this.told.has(key);
    this.told.add(key);
    const fields = { auditChannel: channel, cause, dropped: this.queue.droppedTotal };
    const line = `the audit channel ${channel} did not get an audit message (${dropText(cause, problem, channel)}); the audit log line has the event`;
    if (first) logger.error(fields, line);
    else logger.debug(fields, line);
  }
}

/** What a failed chat.postMessage means for the queue. */
export function attemptOf(error: unknown): Attempt {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  if (e.code === ErrorCode.RateLimitedError) {
    const seconds = e.retryAfter ?? 1;
    return { kind: 'retry', rateLimited: true, afterMs: seconds * 1_000, problem: `429, Retry-After ${seconds} s` };
  }
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    return TRANSIENT.has(code) ? { kind: 'retry', problem: code } : { kind: 'refused', problem: code };
  }
  if (e.code === ErrorCode.HTTPError && (e.statusCode ?? 500) < 500)
    return { kind: 'refused', problem: `HTTP ${e.statusCode}` };
  if (e.code === ErrorCode.HTTPError) return { kind: 'retry', problem: `HTTP ${e.statusCode}` };
  return { kind: 'retry', problem: `no answer from Slack: ${(error as Error)?.message ?? String(error)}` };
}

/** A failed post's problem in words, with the fix when Slack said the bot cannot post in the channel. */
export function problemText(problem: string, channel: string): string {
  if (problem === 'not_in_channel' || problem === 'channel_not_found')
    return `${problem}: invite @markread to the channel ${channel} (/invite @markread there), or fix MARKREAD_AUDIT_CHANNEL`;
  return problem;
}

function dropText(cause: DropCause, problem: string | undefined, channel: string): string {
  if (cause === 'refused' && problem !== undefined && problem !== problemText(problem, channel))
    return problemText(problem, channel);
  if (cause === 'full') return 'the queue was full: Slack is slower than the events';
  if (cause === 'failed') return `gave up after retries: ${problem}`;
  if (cause === 'closed') return `markread stopped before it was posted${problem ? `; last problem: ${problem}` : ''}`;
  return `Slack refused it: ${problem}`;
}

/**
 * The audit channel of a process: its own Web API client, which never retries or waits out a 429 by itself
 * (the queue does both) and whose requests close() aborts, so a CLI never waits on a silent Slack.
 */
export function createAuditChannel(
  config: AuditChannelConfig,
  deps: { redactor: Redactor; logger: Logger },
  tuning: AuditChannelTuning = {},
): AuditChannelOutlet {
  const stop = new AbortController();
  const scrubbing = scrubbingFetch(deps.redactor);
  const client = new WebClient(config.botToken.reveal(), {
    ...webClientOptions(config, deps.redactor),
    fetch: (input, init) =>
      scrubbing(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop.signal]) : stop.signal }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger(deps.logger),
  });
  return new AuditChannelOutlet({
    ...tuning,
    channel: config.channel,
    post: (args) => client.chat.postMessage(args),
    logger: deps.logger,
    onClose: () => stop.abort(),
  });
}
