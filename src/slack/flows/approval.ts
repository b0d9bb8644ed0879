import { randomUUID } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { ApprovalConfig } from '../../config/approval-config.js';
import type { ImApp } from '../../im/app.js';
import type { Logger } from '../../log/logger.js';
import type { RunRecord, RunStore } from '../../stores/runs.js';
import type { Allowlist, AllowVerdict } from '../access/allowlist.js';
import {
  type ApprovalDecision,
  type ApprovalView,
  approvalDecidedMessage,
  approvalRequestMessage,
} from '../blocks/approval.js';
import { plainMessage } from '../blocks/message.js';
import { escapeMrkdwn, mention, slackDate } from '../blocks/mrkdwn.js';
import { bulkScope } from '../blocks/run.js';
import { contextLogger, originOf, type SlackRequestContext } from '../context.js';
import type { ListenerDeps } from '../deps.js';
import { recordRunStep } from '../run-audit.js';
import { STATE_DOWN } from './confirm-all.js';

/**
 * Four eyes on large runs: the configuration, and MARKREAD_APPROVERS as an allowlist of its own (users and user
 * groups, read like the allowlist) when it is set; without it, anyone who may act on the run's app but its
 * requester may decide.
 */
export interface ApprovalPolicy {
  config: ApprovalConfig;
  approvers?: Allowlist;
}

/** What a run waiting for approval is made of, before it exists. */
export interface ApprovalSpec {
  user: string;
  peers?: string[];
  readTime: number | undefined;
  total: number;
  clearMarks: boolean;
}

type Web = Pick<webApi.WebClient, 'chat'>;

/** Who may decide, in mrkdwn: the approvers named, or anyone allowed but the requester. */
export function approversText(policy: ApprovalPolicy, requester: string, app: Pick<ImApp, 'name'>): string {
  const named = policy.approvers?.entries();
  if (!named)
    return `anyone allowed to use markread on IM app \`${escapeMrkdwn(app.name)}\` except ${mention(requester)}`;
  const people = [...named.users.map(mention), ...named.groups.map((g) => `<!subteam^${g}>`)];
  return `${people.join(', ')} (MARKREAD_APPROVERS), except ${mention(requester)}`;
}

/** How a run waiting for approval is shown, asked or decided. */
export function approvalView(
  deps: Pick<ListenerDeps, 'approval'> & { flow: Pick<ListenerDeps['flow'], 'apps'> },
  run: Pick<RunRecord, 'id' | 'origin' | 'user' | 'peers' | 'total' | 'approvalDeadline'>,
  app: ImApp,
): ApprovalView {
  const { approval } = deps;
  return {
    runId: run.id,
    requester: run.origin.requester,
    scope: bulkScope(run.user, run.total, run.peers === undefined),
    app,
    several: deps.flow.apps.several,
    ...(run.origin.reason !== undefined ? { reason: run.origin.reason } : {}),
    approvers: approversText(approval, run.origin.requester, app),
    deadline: run.approvalDeadline ?? Date.now(),
    breakGlass: approval.config.breakGlass,
  };
}

/**
 * A run over MARKREAD_APPROVAL_OVER: the request is posted in the channel first (its buttons carry the run's id,
 * chosen now), then the run is recorded waiting for approval, and the requester is told by whom. Nothing is
 * called on the IM API until someone approves. If the request cannot be posted, or the run not recorded, nothing
 * waits and the requester is told why.
 */
export async function askForApproval(
  deps: ListenerDeps,
  web: Web,
  ctx: SlackRequestContext,
  app: ImApp,
  spec: ApprovalSpec,
): Promise<void> {
  const log = contextLogger(deps.flow, ctx);
  const draft = {
    ...spec,
    id: randomUUID(),
    origin: originOf(ctx),
    state: 'approval' as const,
    approvalDeadline: Date.now() + deps.approval.config.ttlMs,
  };
  const view = approvalView(deps, draft, app);
  const posted = await web.chat
    .postMessage({ channel: ctx.channelId, ...approvalRequestMessage(view) })
    .catch((error: { data?: { error?: string } }) => ({ ts: undefined, error: error.data?.error ?? 'no answer' }));
  if (!posted.ts) {
    const why = 'error' in posted ? String(posted.error) : 'no answer';
    log.warn({ error: why }, 'could not post an approval request');
    const text = `:x: Nothing was changed: this run needs another person's approval, and markread could not post the request in this channel (${escapeMrkdwn(why)}). Invite @markread here, or ask from a channel it is in.`;
    await deps.flow.respond(ctx.responseUrl, plainMessage(text));
    return;
  }
  const run = await recordWaiting(deps, web, draft, posted.ts, view, log);
  if (!run)
    return void (await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${STATE_DOWN}.`)));
  recordRunStep(deps.flow.audit, 'approval-requested', run, app);
  const text = `:raised_hand: *Waiting for approval*: marking ${view.scope} read is over ${deps.approval.config.over} conversations (MARKREAD_APPROVAL_OVER), so ${view.approvers} must approve it. The request is in <#${ctx.channelId}>; it expires ${slackDate(view.deadline)}. You can withdraw it there.`;
  await deps.flow.respond(ctx.responseUrl, plainMessage(text));
}

/** The run, recorded with its request's message; if it cannot be, the posted request says nothing will happen. */
async function recordWaiting(
  deps: Pick<ListenerDeps, 'runs'>,
  web: Web,
  draft: Parameters<RunStore['create']>[0] & { id: string; origin: RunRecord['origin'] },
  ts: string,
  view: ApprovalView,
  log: Logger,
): Promise<RunRecord | undefined> {
  try {
    return await deps.runs.create({ ...draft, approvalTs: ts });
  } catch (error) {
    log.error({ err: error }, 'could not record a run waiting for approval');
    const gone: ApprovalDecision = { kind: 'unrecorded', at: Date.now() };
    await web.chat
      .update({ channel: draft.origin.channel, ts, ...approvalDecidedMessage(view, gone) })
      .catch(() => undefined);
    return undefined;
  }
}

/** Whether `user` may approve or deny a run on `app`: MARKREAD_APPROVERS when set, else whoever may act on the app. */
export function deciderVerdict(
  deps: Pick<ListenerDeps, 'approval' | 'access'>,
  user: string,
  app: ImApp,
): Promise<AllowVerdict> {
  const { approvers } = deps.approval;
  return approvers ? approvers.check(user) : deps.access.onApp(user, app);
}
