import type { types } from '@slack/bolt';
import { plainMessage, type SlackMessage } from './message.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** What a caller not on the allowlist is told, in place of whatever they asked for. */
export function refusalMessage(reason: string): SlackMessage {
  return plainMessage(
    `:no_entry: You can't use /markread: ${escapeMrkdwn(reason)}. Nothing was changed. Ask the on-call lead to add your Slack member ID to MARKREAD_ALLOWED_USERS (or a user group in MARKREAD_ALLOWED_USERGROUPS).`,
  );
}

/** The same refusal, in place of a submitted form. */
export function refusalView(reason: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'Not allowed' },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [refusalMessage(reason).blocks[0] as types.KnownBlock],
  };
}
