/**
 * Slack mrkdwn helpers. Anything a person typed or the IM API returned is escaped (only &, <, >, as Slack
 * asks) before it goes into a message, so input like `<!channel>` stays inert.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Undoes Slack's escaping of slash-command text. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Inline code. UserIDs never contain a backtick (validation forbids it); other text has backticks swapped out. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

export function mention(slackUserId: string): string {
  return `<@${slackUserId}>`;
}

/** Cuts text to fit a Slack text field. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
