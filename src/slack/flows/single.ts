import type { webApi } from '@slack/bolt';
import { type AuditScope, recordIn } from '../../audit/scope.js';
import type { AuditSink } from '../../audit/sink.js';
import { clearUnreadMarks } from '../../domain/conversation-marks.js';
import type { MarkReadRequest } from '../../domain/mark-read-request.js';
import { markReadWithProof, type PairResult } from '../../domain/mark-read-run.js';
import type { ImApp } from '../../im/app.js';
import type { ImApps } from '../../im/apps.js';
import type { Logger } from '../../log/logger.js';
import { onApp } from '../blocks/app.js';
import { marksLine } from '../blocks/check.js';
import { fallbackOutcomeMessage, outcomeMessage, parentMessage } from '../blocks/mark.js';
import { plainMessage, type SlackMessage, withLine } from '../blocks/message.js';
import { code } from '../blocks/mrkdwn.js';
import { contextLogger, type SlackRequestContext, scopeOf } from '../context.js';
import { ChannelThread } from '../transport/channel-thread.js';
import type { Respond } from '../transport/response-url.js';

/** How far a Slack job got, for the message it leaves if markread is stopped before it finishes. */
export interface SlackJobProgress {
  phase: 'queued' | 'calling' | 'delivering';
  thread?: ChannelThread;
}

/** What a single mark saves as it goes, so a replica that takes it over neither posts twice nor loses the thread. */
export interface SingleCheckpoint {
  parentTs?: string;
  /** The outcome reached Slack: nothing is left to do. */
  delivered?: boolean;
}

export interface SingleJobOptions {
  /** The command that repeats the mark, for the message if a shutdown cuts it short. */
  rerun: string;
  resume?: SingleCheckpoint;
  save?: (checkpoint: SingleCheckpoint) => Promise<void>;
  /** --clear-marks: after marking read, clear the conversation's "marked unread" mark, with proof. */
  clearMarks?: boolean;
}

/**
 * Starts a single mark in Slack and returns, beside the work, what to tell the requester if a shutdown cuts it
 * short: whether the request may have reached the IM API, and to run it again (marking read is idempotent).
 */
export function startMarkReadInSlack(
  deps: SlackFlowDeps,
  ctx: SlackRequestContext,
  request: MarkReadRequest,
  options: SingleJobOptions,
): { done: Promise<void>; interrupt: () => Promise<void> } {
  const progress: SlackJobProgress = { phase: 'queued' };
  // Started on the next turn of the event loop: the ack goes out first, and requests already read are acked
  // before this one's follow-up work competes with them.
  const done = afterIo().then(() => markReadInSlack(deps, ctx, request, progress, options));
  const interrupt = async () => {
    const sent = progress.phase !== 'queued';
    const text = `:warning: *Interrupted*: markread was shutting down before this finished. ${
      sent
        ? 'The request was sent to the IM API, but its answer did not arrive in time, so whether it took effect is unknown.'
        : 'Nothing was sent to the IM API.'
    } Marking read is safe to repeat: run ${code(options.rerun)} again.`;
    recordIn(scopeOf(deps.audit, ctx, { thread: progress.thread?.ref() }), {
      kind: 'interrupted',
      target: { user: request.user, peers: [request.peer] },
      outcome: {
        status: sent ? 'unknown' : 'not-sent',
        detail: sent ? 'sent; no answer before shutdown' : 'nothing was sent',
      },
    });
    const message = plainMessage(text);
    await tellInThread(deps, ctx, progress.thread, undefined, message);
  };
  return { done, interrupt };
}

/** Resolves after pending I/O callbacks (new requests, acks) have run. */
export const afterIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What every Slack flow needs, whichever IM app it acts on. */
export interface SlackFlowBase {
  web: webApi.WebClient;
  logger: Logger;
  /** Where the flows record what they do. */
  audit: AuditSink;
  /** Every IM app markread serves; a request names one (or means the default). */
  apps: ImApps;
  respond: Respond;
}

/** A flow's deps once its request's IM app is known (slack/app-choice.ts). */
export interface SlackFlowDeps extends SlackFlowBase {
  /** The IM app the flow acts on. */
  app: ImApp;
}

/**
 * Tells the requester something that replaces a run's last word: over its progress reply if it has one, else as a
 * reply in its thread, else privately through the response_url (the bot may not be able to post at all).
 */
export async function tellInThread(
  deps: Pick<SlackFlowDeps, 'respond'>,
  ctx: SlackRequestContext,
  thread: ChannelThread | undefined,
  replyTs: string | undefined,
  message: SlackMessage,
): Promise<void> {
  const shown = (await thread?.show(message, replyTs)) ?? false;
  if (!shown) await deps.respond(ctx.responseUrl, message);
}

/**
 * Last resort for an outcome the channel would not take: the requester's response_url. If that fails too, the
 * outcome is logged as undelivered (the audit line has it as well).
 */
export async function deliverPrivately(
  deps: Pick<SlackFlowDeps, 'respond'>,
  ctx: SlackRequestContext,
  log: Logger,
  message: SlackMessage,
  slackError: string | undefined,
  details: object,
): Promise<void> {
  const undelivered = await deps.respond(
    ctx.responseUrl,
    fallbackOutcomeMessage(message, slackError ?? 'unknown error'),
  );
  if (undelivered !== undefined) {
    log.error(
      { deliveryError: undelivered, ...details },
      'OUTCOME NOT DELIVERED to Slack: neither the channel nor the response_url accepted it',
    );
  }
}

/**
 * After ack(): a parent message saying who asked for what, the call with unread counts before and after, the
 * outcome as a thread reply, and the parent edited to show done or failed. Where the bot cannot post, the
 * outcome goes to the requester through the response_url. Never throws.
 */
export async function markReadInSlack(
  deps: SlackFlowDeps,
  ctx: SlackRequestContext,
  request: MarkReadRequest,
  progress: SlackJobProgress,
  options: SingleJobOptions,
): Promise<void> {
  if (options.resume?.delivered) return;
  const log = contextLogger(deps, ctx);
  const thread = new ChannelThread(deps.web, ctx.channelId, log);
  progress.thread = thread;
  if (options.resume?.parentTs !== undefined) thread.parentTs = options.resume.parentTs;
  else if (await thread.postParent(parentOn(deps, parentMessage(ctx.requester, request, 'working', ctx.reason))))
    await options.save?.({ parentTs: thread.parentTs });

  progress.phase = 'calling';
  const scope = scopeOf(deps.audit, ctx, { thread: thread.ref() });
  const result = await markOrSayWhyNot(deps, scope, request, log);
  progress.phase = 'delivering';
  let message = outcomeMessage(result);
  if (options.clearMarks && result.outcome.status === 'ok') {
    const marks = await clearUnreadMarks(deps.app, request.user, [request.peer], scope);
    message = withLine(message, marksLine(marks));
  }
  if ((await thread.reply(message)) !== undefined) {
    await options.save?.({ parentTs: thread.parentTs, delivered: true });
    await thread.update(parentOn(deps, parentMessage(ctx.requester, request, result.outcome.status, ctx.reason)));
    return;
  }
  await deliverPrivately(deps, ctx, log, message, thread.error, {
    outcome: result.outcome.status,
    errorCode: result.outcome.errorCode,
    requestId: result.outcome.requestId,
    user: request.user,
    peer: request.peer,
  });
}

/** A thread's parent message (or summary) with the line naming its IM app, where one is due. */
export function parentOn(deps: Pick<SlackFlowDeps, 'app' | 'apps'>, message: SlackMessage): SlackMessage {
  return onApp(message, deps.app, deps.apps.several);
}

/** The mark with its proof; should it ever throw (it does not by design), a result that says so. */
async function markOrSayWhyNot(
  deps: SlackFlowDeps,
  scope: AuditScope,
  request: MarkReadRequest,
  log: Logger,
): Promise<PairResult> {
  try {
    return await markReadWithProof(deps.app, request, scope);
  } catch (error) {
    log.error({ err: error }, 'mark-read threw');
    const unknown = { known: false as const, reason: 'internal error' };
    return {
      before: unknown,
      after: unknown,
      outcome: {
        request,
        status: 'unreachable',
        actionStatus: undefined,
        errorCode: undefined,
        errorInfo: undefined,
        meaning: 'markread hit an internal error before it got an answer.',
        action: 'Run it again; if it repeats, report it with the time of this message.',
        attempts: 0,
        durationMs: 0,
        requestId: 0,
      },
    };
  }
}
