import type { types } from '@slack/bolt';
import { slackUsageLines } from '../../domain/usage.js';
import { MAX_PEERS } from '../command-text.js';
import { type SlackMessage, section, TEXT_MAX } from './message.js';
import { clip, escapeMrkdwn } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

/** `/markread help`: the usage every surface shares (domain/usage.ts), as Slack shows it. */
export const USAGE_TEXT = slackUsageLines({ maxPeers: MAX_PEERS })
  // Escaped line by line: `<user>` sent raw would be read by Slack as a link.
  .map(escapeMrkdwn)
  .join('\n');

export function usageMessage(problems: string[] = []): SlackMessage {
  const blocks: KnownBlock[] = [];
  const shown = problems.length > 5 ? [...problems.slice(0, 5), `…and ${problems.length - 5} more`] : problems;
  if (problems.length > 0) blocks.push(section(`:warning: Nothing was done: ${shown.map(escapeMrkdwn).join('; ')}.`));
  blocks.push(section(USAGE_TEXT));
  return {
    text:
      problems.length > 0
        ? clip(`Nothing was done: ${shown.map(escapeMrkdwn).join('; ')}`, TEXT_MAX)
        : 'How to use /markread',
    blocks,
  };
}
