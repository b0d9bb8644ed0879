import { createHmac, randomUUID } from 'node:crypto';

/** Slack's request signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}")). */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Headers for a signed request as Slack sends it; the content type must be exactly this for Bolt's parser. */
export function signedHeaders(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

/** Form body of a slash command. */
export function commandBody(fields: {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  trigger_id?: string;
  team_id?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T0STANDIN',
    team_domain: 'stand-in',
    channel_id: fields.channel_id,
    channel_name: 'support',
    user_id: fields.user_id,
    user_name: 'responder',
    command: '/markread',
    text: fields.text,
    api_app_id: 'A0MARKREAD',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? '12345.67890.abcdef',
  }).toString();
}

/** Who an interaction payload comes from: the stand-in workspace, the markread app and the given user. */
function interactionOrigin(userId: string) {
  return {
    team: { id: 'T0STANDIN', domain: 'stand-in' },
    user: { id: userId, username: 'responder', name: 'responder', team_id: 'T0STANDIN' },
    api_app_id: 'A0MARKREAD',
    token: 'deprecated-verification-token',
  };
}

/** A channel picked on a form (conversations_select), with the response_url Slack sends for it when enabled. */
export interface PickedChannel {
  block_id: string;
  channel_id: string;
  response_url?: string;
}

/** Form body of a view_submission for the markread modal. */
export function viewSubmissionBody(fields: {
  user_id: string;
  values: Record<string, string>;
  private_metadata: string;
  callback_id?: string;
  picked?: PickedChannel;
  /** Static selects by block id: the option value chosen. */
  selected?: Record<string, string>;
}): string {
  const state: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [block, value] of Object.entries(fields.values))
    state[block] = { value: { type: 'plain_text_input', value: value === '' ? null : value } };
  for (const [block, value] of Object.entries(fields.selected ?? {}))
    state[block] = {
      value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
    };
  const { picked } = fields;
  if (picked)
    state[picked.block_id] = { value: { type: 'conversations_select', selected_conversation: picked.channel_id } };
  const responseUrls =
    picked?.response_url !== undefined
      ? [
          {
            block_id: picked.block_id,
            action_id: 'value',
            channel_id: picked.channel_id,
            response_url: picked.response_url,
          },
        ]
      : [];
  const payload = {
    type: 'view_submission',
    ...interactionOrigin(fields.user_id),
    trigger_id: '12345.67890.abcdef',
    view: {
      id: 'V0STANDIN',
      team_id: 'T0STANDIN',
      type: 'modal',
      callback_id: fields.callback_id ?? 'markread_modal',
      private_metadata: fields.private_metadata,
      state: { values: state },
      hash: '1767225600.abcdef',
      blocks: [],
      title: { type: 'plain_text', text: 'Mark conversation read' },
    },
    response_urls: responseUrls,
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Form body of a block_actions payload: someone pressed a button. */
export function blockActionBody(fields: {
  user_id: string;
  action_id: string;
  value: string;
  response_url: string;
  channel_id: string;
}): string {
  const payload = {
    type: 'block_actions',
    ...interactionOrigin(fields.user_id),
    container: { type: 'message', message_ts: '1767225600.000001', channel_id: fields.channel_id, is_ephemeral: true },
    trigger_id: '12345.67890.abcdef',
    channel: { id: fields.channel_id, name: 'support' },
    response_url: fields.response_url,
    actions: [
      {
        type: 'button',
        action_id: fields.action_id,
        block_id: 'b1',
        value: fields.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1767225600.1',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * An Events API event as Slack posts it over HTTP (JSON, signed like the rest), or as the payload of a Socket
 * Mode `events_api` envelope: here, someone opening markread's Home tab.
 */
export function appHomeOpenedCallback(userId: string, tab: 'home' | 'messages' = 'home'): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0STANDIN',
    api_app_id: 'A0MARKREAD',
    type: 'event_callback',
    event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    event_time: now,
    event: { type: 'app_home_opened', user: userId, channel: 'D0MARKREAD', tab, event_ts: `${now}.000100` },
    authorizations: [{ team_id: 'T0STANDIN', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** Headers for a signed JSON body (the Events API), as Slack sends them. */
export function signedJsonHeaders(signingSecret: string, body: string): Record<string, string> {
  return { ...signedHeaders(signingSecret, body), 'content-type': 'application/json' };
}

/** Form body of a button press in markread's Home tab: no channel and no response_url, unlike a message's. */
export function homeActionBody(fields: { user_id: string; action_id: string }): string {
  const payload = {
    type: 'block_actions',
    ...interactionOrigin(fields.user_id),
    container: { type: 'view', view_id: `V0HOME${fields.user_id}` },
    trigger_id: '12345.67890.home',
    view: { id: `V0HOME${fields.user_id}`, type: 'home', team_id: 'T0STANDIN', blocks: [], private_metadata: '' },
    actions: [
      {
        type: 'button',
        action_id: fields.action_id,
        block_id: 'home',
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1767225600.2',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
