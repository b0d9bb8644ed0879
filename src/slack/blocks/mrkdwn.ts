import { visible } from '../../text/visible.js';

/**
 * Slack mrkdwn, the one module that makes text safe to send to Slack. Anything a person typed or a server
 * returned goes through `escapeMrkdwn` (invisible and bidi characters made visible, then &, <, > escaped as
 * Slack asks) before it is put into any text field, so input like `<!channel>` stays inert; `clip` never cuts
 * an escape, a mention or a surrogate pair in half.
 */
export function escapeMrkdwn(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Undoes Slack's escaping of slash-command text. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Inline code. UserIDs never contain a backtick (validation forbids it); other text has backticks swapped out. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/** A mention of a Slack user; only ever built from an ID Slack itself sent. */
export function mention(slackUserId: string): string {
  return `<@${slackUserId.replace(/[^A-Z0-9]/gi, '')}>`;
}

/** Cuts already-escaped mrkdwn to at most `max` characters (`…` included), keeping entities and markup whole. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const before = text.charCodeAt(end - 1);
  if (before >= 0xd800 && before <= 0xdbff) end--;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp !== -1 && end - amp < 6) {
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi >= end) end = amp;
  }
  const open = text.lastIndexOf('<', end - 1);
  if (open !== -1 && text.lastIndexOf('>', end - 1) < open) end = open;
  return `${text.slice(0, end)}…`;
}

/** A Slack date token (shown in the viewer's time zone), with the ISO time where a client cannot show it. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${new Date(ms).toISOString()}>`;
}
