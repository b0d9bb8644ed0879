import { unescapeSlackText } from '../src/slack/blocks/mrkdwn.js';
import { messageText } from '../stand-ins/message-text.js';
import type { SlackStandIn } from '../stand-ins/slack-stand-in.js';

/** A recorded message's text as a person would read it (Slack's escaping undone). */
export function visibleText(message: Record<string, unknown>): string {
  return unescapeSlackText(messageText(message));
}

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');

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
    for (const reply of posts.filter((p) => p.args.thread_ts === ts))
      out.push(indent(visibleText(reply.args), '  │ thread › '));
    out.push('');
  }
  return out.join('\n');
}
