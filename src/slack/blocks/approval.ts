import type { types } from '@slack/bolt';
import type { RunDecision } from '../../stores/runs.js';
import { appLine, type ShownApp } from './app.js';
import { APPROVAL_ACTIONS, DENY_CALLBACK_ID, DENY_FIELD, MODAL_ACTION } from './ids.js';
import { reasonLine } from './mark.js';
import { formView, type SlackMessage, section, TEXT_MAX } from './message.js';
import { clip, code, escapeMrkdwn, mention, slackDate } from './mrkdwn.js';

/** What an approval request shows, before and after the decision. */
export interface ApprovalView {
  runId: string;
  requester: string;
  /** What the run covers, in mrkdwn ("all 2,000 of `alice`'s one-to-one conversations"). */
  scope: string;
  app: ShownApp;
  several: boolean;
  reason?: string;
  /** Who may decide, in mrkdwn. */
  approvers: string;
  /** When an undecided request expires (epoch ms). */
  deadline: number;
  /** Break glass is on: the requester may approve their own run. */
  breakGlass: boolean;
}

/** A decision, as the run records it; or 'unrecorded': the request was posted but the run could not be kept. */
export type ApprovalDecision = Omit<RunDecision, 'kind'> & { kind: RunDecision['kind'] | 'unrecorded' };

/** The request itself, in the channel where it was asked: who, what, which app, why, who may decide, until when. */
function requestText(view: ApprovalView): string {
  const app = appLine(view.app, view.several);
  return [
    `:raised_hand: *Approval needed*: ${mention(view.requester)} asks to mark ${view.scope} read.${reasonLine(view.reason)}`,
    ...(app ? [app] : []),
    `*Who can approve*: ${view.approvers}. Expires ${slackDate(view.deadline)} if nobody decides.`,
  ].join('\n');
}

function button(actionId: string, text: string, runId: string, style?: 'primary' | 'danger') {
  return {
    type: 'button' as const,
    action_id: actionId,
    value: runId,
    text: { type: 'plain_text' as const, text },
    ...(style ? { style } : {}),
  };
}

/** The request with Approve (behind Slack's "are you sure"), Deny (asks why) and Withdraw (the requester's). */
export function approvalRequestMessage(view: ApprovalView): SlackMessage {
  const text = requestText(view);
  const approve = {
    ...button(APPROVAL_ACTIONS.approve, 'Approve', view.runId, 'primary'),
    confirm: {
      title: { type: 'plain_text' as const, text: 'Approve this run?' },
      text: { type: 'mrkdwn' as const, text: clip(`It starts at once: marking ${view.scope} read.`, 300) },
      confirm: { type: 'plain_text' as const, text: 'Approve' },
      deny: { type: 'plain_text' as const, text: 'Back' },
    },
  };
  const actions: types.KnownBlock = {
    type: 'actions',
    elements: [
      approve,
      button(APPROVAL_ACTIONS.deny, 'Deny', view.runId, 'danger'),
      button(APPROVAL_ACTIONS.withdraw, 'Withdraw', view.runId),
    ],
  };
  const glass = view.breakGlass
    ? [
        section(
          '_Break glass is on: with nobody else around, the requester may approve their own run (it says so, loudly)._',
        ),
      ]
    : [];
  return {
    text: clip(`Approval needed: ${escapeMrkdwn(view.requester)} asks to mark ${view.scope} read`, TEXT_MAX),
    blocks: [section(text), actions, ...glass],
  };
}

const DECIDED: Record<ApprovalDecision['kind'], (d: ApprovalDecision) => string> = {
  approved: (d) =>
    `:white_check_mark: *Approved* by ${who(d)} ${slackDate(d.at)}. The run has started; its progress is in its own thread.`,
  'self-approved': (d) =>
    `:rotating_light: *SELF-APPROVED (break glass)* by the requester ${who(d)} ${slackDate(d.at)}, with nobody else's approval. The run has started.`,
  denied: (d) =>
    `:no_entry: *Denied* by ${who(d)} ${slackDate(d.at)}.${d.reason ? `\n*Why*: ${code(d.reason)}` : ''} Nothing was changed.`,
  withdrawn: (d) => `:leftwards_arrow_with_hook: *Withdrawn* by the requester ${slackDate(d.at)}. Nothing was changed.`,
  unrecorded: () =>
    ':x: *Not recorded*: markread could not reach its shared state to keep this request, so nothing will happen. Ask again in a minute.',
  expired: (d) =>
    `:hourglass: *Expired* ${slackDate(d.at)}: nobody decided in time. Nothing was changed; ask again if it is still needed.`,
};

function who(decision: ApprovalDecision): string {
  return decision.by ? mention(decision.by) : 'markread';
}

/** The request once decided: what it asked, and the decision in place of the buttons. */
export function approvalDecidedMessage(view: ApprovalView, decision: ApprovalDecision): SlackMessage {
  const outcome = DECIDED[decision.kind](decision);
  return {
    text: clip(outcome, TEXT_MAX),
    blocks: [
      section(requestText(view).replace(':raised_hand: *Approval needed*', ':raised_hand: *Approval asked*')),
      section(outcome),
    ],
  };
}

/** Said to someone pressing a request already decided: who decided, and when. */
export function alreadyDecided(decision: ApprovalDecision): string {
  const line = DECIDED[decision.kind](decision).split('\n')[0] ?? '';
  return `:information_source: Already decided: ${line.replace(/^:[a-z_]+: /, '')}`;
}

/** Deny asks why: the requester sees the reason. */
export function denyReasonModal(privateMetadata: string) {
  const why = {
    type: 'input' as const,
    block_id: DENY_FIELD,
    label: { type: 'plain_text' as const, text: 'Why (the requester sees this)' },
    element: {
      type: 'plain_text_input' as const,
      action_id: MODAL_ACTION,
      multiline: true,
      min_length: 3,
      max_length: 500,
    },
  };
  const form = { callbackId: DENY_CALLBACK_ID, privateMetadata, title: 'Deny the run', submit: 'Deny', close: 'Back' };
  return formView(form, [why]);
}

/** A run's parent message and summary say who approved it: "Approved by @x", or loudly, a self-approval. */
export function approvalLine(run: { decision?: { kind: string; by?: string } }): string | undefined {
  const { decision } = run;
  if (decision?.kind === 'approved' && decision.by) return `:white_check_mark: *Approved by* ${mention(decision.by)}`;
  if (decision?.kind === 'self-approved')
    return ':rotating_light: *SELF-APPROVED (break glass)* by the requester, with nobody else’s approval';
  return undefined;
}

/** In place of the deny form, when nothing was denied: why (mrkdwn the caller escaped). */
export function denyNoticeView(text: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'Not denied' },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [section(`:information_source: ${text} Nothing was changed by this form.`)],
  };
}
