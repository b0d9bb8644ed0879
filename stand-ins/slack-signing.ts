import { createHmac } from 'node:crypto';

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

/** Form body of a view_submission for the markread modal. */
export function viewSubmissionBody(fields: {
  user_id: string;
  values: Record<string, string>;
  private_metadata: string;
  callback_id?: string;
}): string {
  const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const [block, value] of Object.entries(fields.values))
    state[block] = { value: { type: 'plain_text_input', value: value === '' ? null : value } };
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
    response_urls: [],
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
