import type { webApi } from '@slack/bolt';
import { auditChannelItem, type ConversationInfo } from '../../doctor/audit-channel.js';
import type { Logger } from '../../log/logger.js';

/**
 * Names at start-up an audit channel markread cannot post in, with the fix, and never stops start-up for it:
 * commands are served either way, and the events stay in the log line.
 */
export async function checkAuditChannelAtStart(
  client: webApi.WebClient,
  channel: string,
  scopes: string[] | undefined,
  logger: Logger,
): Promise<void> {
  let answer: ConversationInfo | string;
  try {
    answer = (await client.conversations.info({ channel })) as ConversationInfo;
  } catch (error) {
    const data = (error as { data?: ConversationInfo }).data;
    answer = data ?? `cannot ask Slack about the audit channel: ${(error as Error).message}`;
  }
  const item = auditChannelItem(channel, answer, scopes);
  if (item.ok) logger.info({ auditChannel: channel }, `audit channel ${item.detail}`);
  else
    logger.error(
      { auditChannel: channel },
      `audit channel: ${item.detail}${item.fix ? `; fix: ${item.fix}` : ''}. markread keeps serving; audit events are in the log line`,
    );
}
