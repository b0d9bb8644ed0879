import type { types } from '@slack/bolt';
import { clip } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

/** A message body for chat.postMessage, chat.update, ack() or a response_url. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Top-level `text` and section text share Slack's 3,000-character budget here; callers pass escaped mrkdwn. */
export const TEXT_MAX = 3000;
export const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, TEXT_MAX) },
});
export const contextBlock = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, 3000) }],
});

/**
 * A one-section message from mrkdwn the caller built (escaping whatever it echoes); its notification text is the
 * same escaped mrkdwn as its one section.
 */
export function plainMessage(text: string): SlackMessage {
  return { text: clip(text, TEXT_MAX), blocks: [section(text)] };
}

/** `message` with one more section at the end (a proof line added after the fact). */
export function withLine(message: SlackMessage, line: string): SlackMessage {
  return { ...message, blocks: [...message.blocks, section(line)] };
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** A form's frame: which form it is (its callback), what it carries, its title and its two buttons. */
export function formView<B extends object>(
  form: { callbackId: string; privateMetadata: string; title: string; submit: string; close: string },
  blocks: readonly B[],
) {
  return {
    type: 'modal' as const,
    callback_id: form.callbackId,
    private_metadata: form.privateMetadata,
    title: plain(form.title),
    submit: plain(form.submit),
    close: plain(form.close),
    blocks: [...blocks],
  };
}
