import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log/logger.js';
import type { SlackMessage } from '../blocks/message.js';

export function slackErrorCode(error: unknown): string {
  return (
    (error as { data?: { error?: string } }).data?.error ??
    (error as { code?: string }).code ??
    (error as Error).message ??
    'unknown error'
  );
}

const NO_UNFURL = { unfurl_links: false, unfurl_media: false } as const;

/**
 * A parent message in a channel and its thread. Each method reports failure instead of throwing, and
 * remembers the Slack error, so the caller can fall back to the response_url and say why.
 */
export class ChannelThread {
  parentTs: string | undefined;
  /** The last Slack error, e.g. not_in_channel. */
  error: string | undefined;

  constructor(
    private readonly web: webApi.WebClient,
    readonly channel: string,
    private readonly log: Logger,
  ) {}

  /** Where the thread is, for the audit trail (no ts until the parent message is posted). */
  ref(): { channel: string; ts?: string } {
    return this.parentTs === undefined ? { channel: this.channel } : { channel: this.channel, ts: this.parentTs };
  }

  async postParent(message: SlackMessage): Promise<boolean> {
    try {
      this.parentTs = (await this.web.chat.postMessage({ channel: this.channel, ...message, ...NO_UNFURL })).ts;
      return this.parentTs !== undefined;
    } catch (error) {
      this.error = slackErrorCode(error);
      this.log.info(
        { slackError: this.error },
        'cannot post in the channel; the outcome will go to the requester privately',
      );
      return false;
    }
  }

  /** Posts in the parent's thread; returns the reply's ts, or undefined if Slack refused. */
  async reply(message: SlackMessage): Promise<string | undefined> {
    if (this.parentTs === undefined) return undefined;
    try {
      return (
        await this.web.chat.postMessage({ channel: this.channel, thread_ts: this.parentTs, ...message, ...NO_UNFURL })
      ).ts;
    } catch (error) {
      this.error = slackErrorCode(error);
      this.log.warn({ slackError: this.error }, 'could not post in the thread');
      return undefined;
    }
  }

  /** Edits a message the bot posted (the parent by default); failures are logged, not fatal. */
  /** Puts `message` in reply `replyTs` if there is one, else in a new reply; false if Slack took neither. */
  async show(message: SlackMessage, replyTs: string | undefined): Promise<boolean> {
    return replyTs !== undefined ? this.update(message, replyTs) : (await this.reply(message)) !== undefined;
  }

  async update(message: SlackMessage, ts = this.parentTs): Promise<boolean> {
    if (ts === undefined) return false;
    try {
      await this.web.chat.update({ channel: this.channel, ts, ...message });
      return true;
    } catch (error) {
      this.log.warn({ slackError: slackErrorCode(error) }, 'could not edit a message');
      return false;
    }
  }
}
