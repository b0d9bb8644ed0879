import type { types } from '@slack/bolt';
import { appLine, type ShownApp } from './app.js';
import { BULK_ACTIONS } from './ids.js';
import { reasonLine } from './mark.js';
import { plainMessage, type SlackMessage, section } from './message.js';
import { clip, code, escapeMrkdwn } from './mrkdwn.js';

export function countingMessage(user: string): SlackMessage {
  return plainMessage(
    `:mag: Counting ${code(user)}'s one-to-one conversations… you'll be asked to confirm before anything changes.`,
  );
}

/** The --all prompt; on a protected app (or among several) it says which app, loudly, in the prompt and its dialog. */
export function confirmAllMessage(
  runId: string,
  user: string,
  count: number,
  reason?: string,
  where?: { app: ShownApp; several: boolean },
): SlackMessage {
  const n = count.toLocaleString('en-US');
  const app = where && appLine(where.app, where.several);
  const text = `${code(user)} has *${n}* one-to-one conversation${count === 1 ? '' : 's'}. Mark them all read? Only you can confirm.${reasonLine(reason)}${app ? `\n${app}` : ''}`;
  const inApp = where && app ? ` in IM app ${where.app.protected ? 'PROTECTED ' : ''}${code(where.app.name)}` : '';
  return {
    text: `${escapeMrkdwn(user)} has ${n} one-to-one conversations. Mark them all read?`,
    blocks: [
      section(text),
      confirmButtons(runId, {
        button: `Mark all ${n} read`,
        title: 'Mark all read?',
        text: `This marks all ${n} one-to-one conversations of ${code(user)}${inApp} read, as the IM app admin.`,
        confirm: 'Mark all read',
      }),
    ],
  };
}

/**
 * Confirm (behind Slack's own "are you sure" dialog) and Cancel for a run awaiting confirmation: --all's prompt
 * and a check's Fix it. Both go through the same atomic transitions, for the requester alone.
 */
export function confirmButtons(
  runId: string,
  words: { button: string; title: string; text: string; confirm: string },
): types.KnownBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: BULK_ACTIONS.confirm,
        value: runId,
        style: 'primary',
        text: { type: 'plain_text', text: words.button },
        confirm: {
          title: { type: 'plain_text', text: words.title },
          text: { type: 'mrkdwn', text: clip(words.text, 300) },
          confirm: { type: 'plain_text', text: words.confirm },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
      { type: 'button', action_id: BULK_ACTIONS.cancel, value: runId, text: { type: 'plain_text', text: 'Cancel' } },
    ],
  };
}
