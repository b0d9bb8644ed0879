import type { SlackViewMiddlewareArgs, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { parseMarkReadRequest, type RequestProblem } from '../../../domain/mark-read-request.js';
import { checkReason } from '../../../domain/reason.js';
import { chooseApp, recordAppRefusal } from '../../app-choice.js';
import { MODAL_ACTION, MODAL_APP_FIELD, MODAL_CHANNEL_FIELD, MODAL_FIELDS } from '../../blocks/ids.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { modalContext, slackActor } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import type { ModalMetadata } from '../../sealed-metadata.js';

/** What the form's handler uses of Bolt's arguments; tests build just these. */
export type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'>;

/**
 * The form's submission, from a submitter the access gate let through: invalid values are answered inline on
 * their field, and a valid one runs like the slash command, in the channel the form was opened from (or, opened
 * from App Home, the channel picked on it).
 */
export function markReadModalSubmission(deps: ListenerDeps): (args: ViewArgs) => Promise<void> {
  return async ({ ack, body, view }) => {
    const values = formValues(view);
    const parsed = parseMarkReadRequest(values);
    const reason = checkReason(values.reason.trim() === '' ? undefined : values.reason, deps.reason);
    if (!parsed.ok || !reason.ok) {
      const errors = fieldErrors(parsed.ok ? [] : parsed.problems);
      if (!reason.ok) errors[MODAL_FIELDS.reason] = escapeMrkdwn(reason.inline).slice(0, 150);
      return ack({ response_action: 'errors', errors });
    }

    const opened = deps.seal.open(view.private_metadata);
    if (!opened) {
      deps.flow.audit.record({
        kind: 'refused',
        actor: slackActor(body.user.id, body.team?.id),
        via: 'modal',
        outcome: {
          status: 'bad-form',
          detail: 'the form’s private_metadata is not markread’s own (tampered, or from before a key change)',
        },
      });
      return ack({
        response_action: 'errors',
        errors: { [MODAL_FIELDS.user]: 'This form lost track of its channel; close it and run /markread again.' },
      });
    }

    const fromHome = 'from' in opened;
    const where = fromHome ? pickedChannel(body, view) : opened;
    if (typeof where === 'string') return ack({ response_action: 'errors', errors: { [MODAL_CHANNEL_FIELD]: where } });
    const via = fromHome ? 'app-home' : 'modal';
    const choice = await chooseApp(deps.flow.apps, deps.access, body.user.id, values.app || undefined);
    const app = choice.ok ? choice.app.name : undefined;
    const ctx = modalContext(body.user.id, body.team?.id, where, via, { reason: reason.reason, app });
    if (!choice.ok) {
      const { user, peer } = parsed.request;
      recordAppRefusal(deps.flow.audit, ctx, choice, { user, peers: [peer] });
      return ack({
        response_action: 'errors',
        errors: { [MODAL_APP_FIELD]: escapeMrkdwn(choice.problem).slice(0, 150) },
      });
    }
    // Recorded as it is acked: from here on a replica's death does not lose it.
    await Promise.all([ack(), deps.jobs.dispatch({ kind: 'single', ctx, request: parsed.request })]);
  };
}

/** The channel picked on a form from App Home and the response_url Slack sent for it, or what is wrong. */
function pickedChannel(body: ViewArgs['body'], view: ViewOutput): ModalMetadata | string {
  const channelId = view.state.values[MODAL_CHANNEL_FIELD]?.[MODAL_ACTION]?.selected_conversation;
  if (!channelId || !/^[CDG][A-Z0-9]{2,}$/.test(channelId)) return 'Pick the channel that gets the thread.';
  const responseUrl = body.response_urls?.find(
    (r) => r.block_id === MODAL_CHANNEL_FIELD && r.channel_id === channelId,
  )?.response_url;
  if (!responseUrl) return 'Slack sent no way to reach you in that channel; pick it again.';
  return { channelId, responseUrl };
}

function formValues(view: ViewOutput) {
  const value = (blockId: string): string => view.state.values[blockId]?.[MODAL_ACTION]?.value ?? '';
  return {
    user: value(MODAL_FIELDS.user),
    peer: value(MODAL_FIELDS.peer),
    readTime: value(MODAL_FIELDS.readTime),
    reason: value(MODAL_FIELDS.reason),
    app: view.state.values[MODAL_APP_FIELD]?.[MODAL_ACTION]?.selected_option?.value ?? '',
  };
}

/** Each field's first problem, on the field, within Slack's length for an inline error. */
function fieldErrors(problems: RequestProblem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) errors[MODAL_FIELDS[problem.field]] ??= escapeMrkdwn(problem.message).slice(0, 150);
  return errors;
}
