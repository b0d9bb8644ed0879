import type { ReasonPolicy } from '../../config/reason-config.js';
import { REASON_MAX } from '../../domain/reason.js';
import type { ShownApp } from './app.js';
import { MODAL_ACTION, MODAL_APP_FIELD, MODAL_CALLBACK_ID, MODAL_CHANNEL_FIELD, MODAL_FIELDS } from './ids.js';
import { formView, section } from './message.js';

const input = (blockId: string, label: string, placeholder: string, hint: string, optional = false, long = false) => ({
  type: 'input' as const,
  block_id: blockId,
  optional,
  label: { type: 'plain_text' as const, text: label },
  hint: { type: 'plain_text' as const, text: hint },
  element: {
    type: 'plain_text_input' as const,
    action_id: MODAL_ACTION,
    placeholder: { type: 'plain_text' as const, text: placeholder },
    ...(long ? { multiline: true, max_length: REASON_MAX } : { max_length: 64 }),
  },
});

/** The reason field: required when the policy says every change needs one; its hint gives the least length. */
function reasonInput(policy: ReasonPolicy) {
  return input(
    MODAL_FIELDS.reason,
    policy.required ? 'Reason' : 'Reason (optional)',
    'e.g. ticket 123: badge stuck',
    `Why, for the thread and the audit trail: at least ${policy.min} characters.`,
    !policy.required,
    true,
  );
}

/**
 * The /markread form; `privateMetadata` is the sealed channel and response_url (see sealed-metadata.ts), `policy`
 * whether the reason is required and how long it must be. Opened from App Home (`pickChannel`), it has no
 * command's channel, so it asks for one.
 */
export function markReadModal(
  privateMetadata: string,
  policy: ReasonPolicy,
  options: { pickChannel?: boolean; apps?: { all: readonly ShownApp[]; default: ShownApp } } = {},
) {
  const form = { callbackId: MODAL_CALLBACK_ID, privateMetadata, title: 'Mark conversation read', submit: 'Mark read' };
  return formView({ ...form, close: 'Cancel' }, [
    section(
      'Marks every message of the user’s one-to-one conversation with the peer read, as the IM app admin. Use Tencent Cloud Chat UserIDs, not Slack names.',
    ),
    ...(options.pickChannel ? [channelPicker()] : []),
    ...(options.apps && options.apps.all.length > 1 ? [appPicker(options.apps.all, options.apps.default)] : []),
    input(
      MODAL_FIELDS.user,
      'User (whose badge is stuck)',
      'e.g. alice',
      'The IM UserID whose conversation becomes read.',
    ),
    input(
      MODAL_FIELDS.peer,
      'Peer (the other side)',
      'e.g. bob',
      'The IM UserID on the other side of the one-to-one conversation.',
    ),
    input(
      MODAL_FIELDS.readTime,
      'Read up to (optional)',
      'Unix seconds, e.g. 1767225600',
      'Only messages sent before this time become read. Empty means now.',
      true,
    ),
    reasonInput(policy),
  ]);
}

/** An input block around a select: its id, label, hint and element. */
function selectInput<E extends object>(blockId: string, label: string, hint: string, element: E) {
  return {
    type: 'input' as const,
    block_id: blockId,
    label: { type: 'plain_text' as const, text: label },
    hint: { type: 'plain_text' as const, text: hint },
    element,
  };
}

/**
 * Where the thread goes, for a form with no command behind it. `response_url_enabled` makes Slack send a
 * response_url for the picked channel with the submission (`response_urls`): the private way to reach the
 * requester there, as a command's response_url is, when the bot cannot post in it.
 */
function channelPicker() {
  return selectInput(
    MODAL_CHANNEL_FIELD,
    'Channel (gets the thread)',
    'markread posts who asked for what there, and the outcome in its thread. Invite @markread to a private channel first.',
    {
      type: 'conversations_select' as const,
      action_id: MODAL_ACTION,
      response_url_enabled: true,
      filter: { include: ['public' as const, 'private' as const], exclude_bot_users: true },
      placeholder: { type: 'plain_text' as const, text: 'Pick a channel' },
    },
  );
}

/** One app as an option: its name and SDKAppID, a protected one flagged so it is never picked by a slip. */
function appOption(app: ShownApp) {
  const flag = app.protected ? '🚨 PROTECTED · ' : '';
  return {
    text: { type: 'plain_text' as const, text: `${flag}${app.name} (${app.sdkAppId})`.slice(0, 75) },
    value: app.name,
  };
}

/** Which IM app, with the default preselected; shown only when markread serves several. */
function appPicker(apps: readonly ShownApp[], preselected: ShownApp) {
  const flagged = apps.filter((app) => app.protected).map((app) => app.name);
  const check = 'Check that this is the app the ticket is about.';
  return selectInput(MODAL_APP_FIELD, 'IM app', flagged.length ? `Protected: ${flagged.join(', ')}. ${check}` : check, {
    type: 'static_select' as const,
    action_id: MODAL_ACTION,
    options: apps.map(appOption),
    initial_option: appOption(preselected),
  });
}
