import type { AuditActor, AuditThread, AuditVia } from '../audit/event.js';
import type { AuditScope } from '../audit/scope.js';
import type { AuditSink } from '../audit/sink.js';
import type { Logger } from '../log/logger.js';
import type { RunOrigin } from '../stores/runs.js';
import type { ModalMetadata } from './sealed-metadata.js';

/**
 * Where a /markread came from: who asked, in which workspace and channel, and the response_url that reaches them
 * privately. Every flow, run and journal entry carries it, so each message and audit line names the requester.
 */
export interface SlackRequestContext {
  requester: string;
  teamId: string | undefined;
  channelId: string;
  responseUrl: string;
  /** 'command', 'modal' or 'button', for the audit trail. */
  via: AuditVia;
  /** Why, in the requester's words (--reason, or the form's field). */
  reason?: string;
  /**
   * The IM app it acts on, by name, chosen (and the requester's access to it checked) as it was acked. Absent only
   * in work recorded before markread served several apps, which meant the default app.
   */
  app?: string;
}

/** Why and where: what a request adds to where it came from. */
export type RequestExtras = Pick<SlackRequestContext, 'reason' | 'app'>;

/** The fields of a slash command payload the context is made of. */
export interface CommandOrigin {
  user_id: string;
  team_id: string;
  channel_id: string;
  response_url: string;
}

export function commandContext(command: CommandOrigin, extras: RequestExtras = {}): SlackRequestContext {
  return {
    requester: command.user_id,
    teamId: command.team_id,
    channelId: command.channel_id,
    responseUrl: command.response_url,
    via: 'command',
    ...defined(extras),
  };
}

/** `extras` without its undefined fields (a stored context has no `reason: undefined`). */
function defined(extras: RequestExtras): RequestExtras {
  return {
    ...(extras.reason !== undefined ? { reason: extras.reason } : {}),
    ...(extras.app !== undefined ? { app: extras.app } : {}),
  };
}

/**
 * A form's submission acts in the channel, and answers through the response_url, of the command that opened it;
 * a form opened from App Home (`via` 'app-home'), in the channel picked on it, through the URL Slack sent for it.
 */
export function modalContext(
  submitter: string,
  teamId: string | undefined,
  opened: ModalMetadata,
  via: AuditVia = 'modal',
  extras: RequestExtras = {},
): SlackRequestContext {
  return {
    requester: submitter,
    teamId,
    channelId: opened.channelId,
    responseUrl: opened.responseUrl,
    via,
    ...defined(extras),
  };
}

/** A Slack user as the audit trail names them: in their workspace when it is known. */
export function slackActor(user: string, team?: string): AuditActor {
  return { kind: 'slack', ...(team ? { team } : {}), user };
}

/** The audit scope of a request: its requester as the actor, how it came, its reason, and its thread if known. */
export function scopeOf(
  sink: AuditSink,
  ctx: SlackRequestContext,
  extra: { runId?: string; thread?: AuditThread } = {},
): AuditScope {
  return {
    sink,
    actor: slackActor(ctx.requester, ctx.teamId),
    via: ctx.via,
    ...(ctx.reason !== undefined ? { reason: ctx.reason } : {}),
    thread: extra.thread ?? { channel: ctx.channelId },
    ...(extra.runId !== undefined ? { runId: extra.runId } : {}),
  };
}

export function contextLogger(deps: { logger: Logger }, ctx: SlackRequestContext): Logger {
  return deps.logger.child({ team: ctx.teamId, slackUser: ctx.requester, channel: ctx.channelId });
}

/** The run store's Slack-free origin of a run asked for in Slack. */
export function originOf(ctx: SlackRequestContext): RunOrigin {
  const { requester, teamId, channelId, responseUrl, via } = ctx;
  return {
    requester,
    ...(teamId !== undefined ? { team: teamId } : {}),
    channel: channelId,
    replyUrl: responseUrl,
    via,
    ...defined(ctx),
  };
}

/** The Slack request context a stored run came from. */
export function contextOf(origin: RunOrigin): SlackRequestContext {
  const { requester, team, channel, replyUrl, via } = origin;
  return {
    requester,
    teamId: team,
    channelId: channel,
    responseUrl: replyUrl,
    via: via as AuditVia,
    ...defined(origin),
  };
}
