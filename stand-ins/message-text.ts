/** The text of a recorded Slack message as sent (mrkdwn, still escaped): its blocks' text joined, or its fallback text. */
export function messageText(message: Record<string, unknown>): string {
  const blocks =
    (message.blocks as Array<{ text?: { text?: string }; elements?: Array<{ text?: string }> }> | undefined) ?? [];
  const parts = blocks
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text ?? '')])
    .filter(Boolean);
  return parts.length > 0 ? parts.join('\n') : String(message.text ?? '');
}
