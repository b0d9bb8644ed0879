import type { webApi } from '@slack/bolt';
import type { AuditContext, MarkReadOutcome } from '../domain/mark-read.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import type { Logger } from '../log/logger.js';
import { fallbackOutcomeMessage, outcomeMessage, parentMessage } from './messages.js';
import { postToResponseUrl } from './response-url.js';

/** Where a /markread came from. */
export interface SlackRequestContext {
  requester: string;
  teamId: string | undefined;
  channelId: string;
  responseUrl: string;
  /** 'command' or 'modal', for the audit line. */
  via: string;
}

export interface SlackFlowDeps {
  web: webApi.WebClient;
  logger: Logger;
  markRead: (request: MarkReadRequest, audit: AuditContext) => Promise<MarkReadOutcome>;
}

function slackErrorCode(error: unknown): string {
  return (error as { data?: { error?: string } }).data?.error ?? (error as { code?: string }).code ?? (error as Error).message ?? 'unknown error';
}

/**
 * After ack(): a parent message saying who asked for what, the call, the outcome as a thread reply, and the
 * parent edited to show done or failed. Where the bot cannot post, the outcome goes to the requester through
 * the response_url instead. Never throws: whatever happens is posted or, as a last resort, logged.
 */
export async function markReadInSlack(deps: SlackFlowDeps, ctx: SlackRequestContext, request: MarkReadRequest): Promise<void> {
  const log = deps.logger.child({ team: ctx.teamId, slackUser: ctx.requester, channel: ctx.channelId });
  let parentTs: string | undefined;
  let postError: string | undefined;
  try {
    const posted = await deps.web.chat.postMessage({ channel: ctx.channelId, ...parentMessage(ctx.requester, request, 'working'), unfurl_links: false, unfurl_media: false });
    parentTs = posted.ts;
  } catch (error) {
    postError = slackErrorCode(error);
    log.info({ slackError: postError }, 'cannot post in the channel; the outcome will go to the requester privately');
  }

  let outcome: MarkReadOutcome;
  try {
    outcome = await deps.markRead(request, { source: 'slack', via: ctx.via, team: ctx.teamId, slackUser: ctx.requester, channel: ctx.channelId });
  } catch (error) {
    // markRead does not throw by design; if it ever does, the requester still hears about it.
    log.error({ err: error }, 'mark-read threw');
    outcome = {
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
    };
  }

  if (parentTs !== undefined) {
    try {
      await deps.web.chat.postMessage({ channel: ctx.channelId, thread_ts: parentTs, ...outcomeMessage(outcome), unfurl_links: false, unfurl_media: false });
      await deps.web.chat
        .update({ channel: ctx.channelId, ts: parentTs, ...parentMessage(ctx.requester, request, outcome.status) })
        .catch((error: unknown) => log.warn({ slackError: slackErrorCode(error) }, 'could not mark the parent message done'));
      return;
    } catch (error) {
      postError = slackErrorCode(error);
      log.warn({ slackError: postError }, 'could not post the outcome in the thread; sending it to the requester privately');
    }
  }

  const undelivered = await postToResponseUrl(ctx.responseUrl, fallbackOutcomeMessage(outcome, postError ?? 'unknown error'));
  if (undelivered !== undefined) {
    log.error(
      { deliveryError: undelivered, outcome: outcome.status, errorCode: outcome.errorCode, requestId: outcome.requestId, user: request.user, peer: request.peer },
      'OUTCOME NOT DELIVERED to Slack: neither the channel nor the response_url accepted it',
    );
  }
}
