import type { DoctorItem } from './checklist.js';

/** What conversations.info answers, as far as the audit channel check reads it. */
export interface ConversationInfo {
  ok?: boolean;
  error?: string;
  channel?: { name?: string; is_private?: boolean; is_member?: boolean; is_archived?: boolean };
}

const NAME = 'audit channel';
const INVITE = (where: string) => `invite @markread to ${where} (/invite @markread), or fix MARKREAD_AUDIT_CHANNEL`;

/**
 * Can markread post in MARKREAD_AUDIT_CHANNEL? Read from conversations.info, which posts nothing (a test message
 * would be noise in the very channel people read for what happened). A public channel needs no invite when the
 * token has chat:write.public; a private one does, and Slack answers channel_not_found for a private channel the
 * bot is not in, exactly as for one that does not exist. `answer` is a string when Slack could not be asked.
 */
export function auditChannelItem(channel: string, answer: ConversationInfo | string, scopes?: string[]): DoctorItem {
  if (typeof answer === 'string') return { name: NAME, ok: false, detail: answer, fix: 'allow egress to slack.com' };
  if (!answer.ok) return refusedItem(channel, answer.error ?? 'unknown_error');
  const info = answer.channel ?? {};
  const where = info.name ? `#${info.name}` : channel;
  if (info.is_archived)
    return { name: NAME, ok: false, detail: `${where} is archived`, fix: 'unarchive it, or pick another channel' };
  const publicPosting = !info.is_private && (scopes === undefined || scopes.includes('chat:write.public'));
  if (!info.is_member && !publicPosting)
    return { name: NAME, ok: false, detail: `not_in_channel: @markread is not in ${where}`, fix: INVITE(where) };
  const how = info.is_member ? 'markread is a member' : 'public: chat:write.public posts without an invite';
  return { name: NAME, ok: true, detail: `${where} (${channel}): ${how}` };
}

function refusedItem(channel: string, error: string): DoctorItem {
  if (error === 'channel_not_found')
    return {
      name: NAME,
      ok: false,
      detail: `channel_not_found: ${channel} does not exist, or is private and @markread is not in it`,
      fix: INVITE('the channel'),
    };
  if (error === 'missing_scope')
    return {
      name: NAME,
      ok: false,
      detail: 'conversations.info answered missing_scope',
      fix: 'add channels:read and groups:read (or recreate the app from manifest.yml), then reinstall the app',
    };
  return { name: NAME, ok: false, detail: `conversations.info answered ${error}` };
}
