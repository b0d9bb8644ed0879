/** The text of a recorded Slack message as sent (mrkdwn, still escaped): its blocks' text joined, or its fallback text. */
export function messageText(message: Record<string, unknown>): string {
  const blocks =
    (message.blocks as
      | Array<{ text?: { text?: string }; elements?: Array<{ text?: string | { text?: string } }> }>
      | undefined) ?? [];
  // Context elements carry their text as a string; buttons as an object, shown as [label].
  const element = (e: { text?: string | { text?: string } }) =>
    typeof e.text === 'string' ? e.text : e.text?.text !== undefined ? `[${e.text.text}]` : '';
  const parts = blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map(element)]).filter(Boolean);
  return parts.length > 0 ? parts.join('\n') : String(message.text ?? '');
}
