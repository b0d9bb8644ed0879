import type { SlackStandIn } from '../stand-ins/slack-stand-in.js';

/** A recorded message's visible text: its blocks' text, or its fallback text. */
export function visibleText(message: Record<string, unknown>): string {
  const blocks = (message.blocks as Array<{ text?: { text?: string }; elements?: Array<{ text?: string }> }> | undefined) ?? [];
  const parts = blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text ?? '')]).filter(Boolean);
  return (parts.length > 0 ? parts.join('\n') : String(message.text ?? '')).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const indent = (text: string, prefix: string) => text.split('\n').map((l) => prefix + l).join('\n');

/** What each channel would show: parents (as last edited) with their thread replies under them. */
export function renderChannels(slack: SlackStandIn): string {
  const out: string[] = [];
  const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.result?.ok === true);
  const parents = posts.filter((p) => p.args.thread_ts === undefined);
  for (const parent of parents) {
    const ts = parent.result?.ts;
    const edit = slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === ts).at(-1);
    out.push(`#${String(parent.args.channel)}`);
    out.push(indent(visibleText((edit ?? parent).args) + (edit ? '  (edited)' : ''), '  '));
    for (const reply of posts.filter((p) => p.args.thread_ts === ts)) out.push(indent(visibleText(reply.args), '  │ thread › '));
    out.push('');
  }
  return out.join('\n');
}
