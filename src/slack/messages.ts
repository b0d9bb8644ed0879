import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import type { MarkReadOutcome } from '../domain/mark-read.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import type { PairResult, RunSummary } from '../domain/mark-read-run.js';
import type { UnreadCount } from '../domain/unread-counts.js';
import { describeUnread } from '../domain/unread-summary.js';
import { slackUsageLines } from '../domain/usage.js';
import { clip, code, escapeMrkdwn, mention } from './blocks/mrkdwn.js';
import { MAX_PEERS } from './command-text.js';

/** A message body for chat.postMessage, chat.update, ack() or a response_url. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Top-level `text` and section text share Slack's 3,000-character budget here; callers pass escaped mrkdwn. */
export const TEXT_MAX = 3000;
export const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, TEXT_MAX) },
});
/** A message whose notification text is the same escaped mrkdwn as its one section. */
const simple = (text: string): SlackMessage => ({ text: clip(text, TEXT_MAX), blocks: [section(text)] });
const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, 3000) }],
});

function conversation(request: MarkReadRequest): string {
  const upTo =
    request.readTime === undefined
      ? ''
      : ` up to <!date^${request.readTime}^{date_short_pretty} {time}|${new Date(request.readTime * 1000).toISOString()}>`;
  return `${code(request.user)}'s one-to-one conversation with ${code(request.peer)}${upTo}`;
}

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

export function refusalMessage(reason: string): SlackMessage {
  return simple(
    `:no_entry: You can't use /markread: ${escapeMrkdwn(reason)}. Nothing was changed. Ask the on-call lead to add your Slack member ID to MARKREAD_ALLOWED_USERS (or a user group in MARKREAD_ALLOWED_USERGROUPS).`,
  );
}

export function workingMessage(request: MarkReadRequest): SlackMessage {
  return simple(
    `:hourglass_flowing_sand: Working on it: marking ${conversation(request)} read. The outcome will follow in a thread (or here, if I can't post in this channel).`,
  );
}

export type ParentState = 'working' | MarkReadOutcome['status'];

const PARENT_ICON: Record<ParentState, string> = {
  working: ':hourglass_flowing_sand:',
  ok: ':white_check_mark:',
  failed: ':x:',
  unreachable: ':warning:',
};
const PARENT_SUFFIX: Record<ParentState, string> = {
  working: 'Working on it…',
  ok: 'Done: details in the thread.',
  failed: 'Failed: details in the thread.',
  unreachable: 'No answer from the IM API: details in the thread.',
};

/** The channel message that says who asked for what; its thread holds the outcome. */
export function parentMessage(requester: string, request: MarkReadRequest, state: ParentState): SlackMessage {
  return simple(
    `${PARENT_ICON[state]} ${mention(requester)} asked to mark ${conversation(request)} read. ${PARENT_SUFFIX[state]}`,
  );
}

const OUTCOME_HEADLINE: Record<MarkReadOutcome['status'], string> = {
  ok: ':white_check_mark: *Marked read*',
  failed: ':x: *Failed*',
  unreachable: ':warning: *No answer from the IM API*',
};

export function outcomeMessage(result: PairResult): SlackMessage {
  const { outcome } = result;
  const fields = [
    `*ActionStatus* ${outcome.actionStatus ? code(outcome.actionStatus) : '_none_'}`,
    `*ErrorCode* ${outcome.errorCode === undefined ? '_none_' : code(String(outcome.errorCode))}`,
    `*ErrorInfo* ${outcome.errorInfo ? code(clip(outcome.errorInfo, 500)) : '_empty_'}`,
  ].join('  ·  ');
  const lines = [
    `${OUTCOME_HEADLINE[outcome.status]}: ${conversation(outcome.request)}`,
    fields,
    `*Meaning*: ${escapeMrkdwn(outcome.meaning)}`,
  ];
  if (outcome.action) lines.push(`*What to do next*: ${escapeMrkdwn(outcome.action)}`);
  lines.push(unreadLine(result.before, result.after, outcome.status));
  const blocks: KnownBlock[] = [
    section(lines.join('\n')),
    context(
      `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'} · ${outcome.durationMs} ms · request id ${outcome.requestId}`,
    ),
  ];
  const plain = `${outcome.status === 'ok' ? 'Marked read' : outcome.status === 'failed' ? 'Failed' : 'No answer from the IM API'}: ${escapeMrkdwn(outcome.request.user)} ↔ ${escapeMrkdwn(outcome.request.peer)}. ActionStatus ${outcome.actionStatus ?? 'none'}, ErrorCode ${outcome.errorCode ?? 'none'}. ${escapeMrkdwn(outcome.meaning)}`;
  return { text: clip(plain, TEXT_MAX), blocks };
}

/** The outcome sent privately to the requester when the bot cannot post in the channel. */
export function fallbackOutcomeMessage(outcome: SlackMessage, slackError: string): SlackMessage {
  const message = { ...outcome, blocks: [...outcome.blocks] };
  message.blocks.push(
    context(
      `I couldn't post in this channel (${escapeMrkdwn(slackError)}), so only you see this. To get a thread others can see, invite me with \`/invite @markread\` (public or private channel), or run /markread in a channel I'm in.`,
    ),
  );
  return message;
}

export const MODAL_CALLBACK_ID = 'markread_modal';
export const MODAL_FIELDS = { user: 'user', peer: 'peer', readTime: 'read_time' } as const;
export const MODAL_ACTION = 'value';

/** The /markread form; `privateMetadata` is the sealed channel and response_url (see sealed-metadata.ts). */
export function markReadModal(privateMetadata: string) {
  const input = (blockId: string, label: string, placeholder: string, hint: string, optional = false) => ({
    type: 'input' as const,
    block_id: blockId,
    optional,
    label: { type: 'plain_text' as const, text: label },
    hint: { type: 'plain_text' as const, text: hint },
    element: {
      type: 'plain_text_input' as const,
      action_id: MODAL_ACTION,
      placeholder: { type: 'plain_text' as const, text: placeholder },
      max_length: 64,
    },
  });
  return {
    type: 'modal' as const,
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: privateMetadata,
    title: { type: 'plain_text' as const, text: 'Mark conversation read' },
    submit: { type: 'plain_text' as const, text: 'Mark read' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      section(
        'Marks every message of the user’s one-to-one conversation with the peer read, as the IM app admin. Use Tencent Cloud Chat UserIDs, not Slack names.',
      ),
      input(
        MODAL_FIELDS.user,
        'User (whose badge is stuck)',
        'e.g. alice',
        'The IM UserID whose conversation becomes read.',
      ),
      input(
        MODAL_FIELDS.peer,
        'Peer (the other side)',
        'e.g. bob',
        'The IM UserID on the other side of the one-to-one conversation.',
      ),
      input(
        MODAL_FIELDS.readTime,
        'Read up to (optional)',
        'Unix seconds, e.g. 1767225600',
        'Only messages sent before this time become read. Empty means now.',
        true,
      ),
    ],
  };
}

export function refusalView(reason: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'Not allowed' },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [refusalMessage(reason).blocks[0] as KnownBlock],
  };
}

// ── Proof of effect and bulk runs ───────────────────────────────────────────────────────────────

export function unreadLine(before: UnreadCount, after: UnreadCount, status: MarkReadOutcome['status']): string {
  if (status !== 'ok') return `*Unread*: ${before.known ? before.count : 'unknown'} (unchanged)`;
  if (!before.known)
    return `*Unread*: unknown before (${escapeMrkdwn(before.reason)}) → ${after.known ? after.count : 'unknown'}`;
  if (!after.known) return `*Unread*: ${before.count} → unknown (${escapeMrkdwn(after.reason)})`;
  return `*Unread*: ${before.count} → ${after.count}`;
}

export const BULK_ACTIONS = {
  confirm: 'markread_all_confirm',
  cancel: 'markread_all_cancel',
  stop: 'markread_stop',
} as const;

/** What a bulk run covers, in words: "`alice`'s conversations with 5 peers" or "all 2,000 of `alice`'s …". */
export function bulkScope(user: string, count: number, all: boolean): string {
  return all
    ? `all ${count.toLocaleString('en-US')} of ${code(user)}'s one-to-one conversations`
    : `${code(user)}'s one-to-one conversations with ${count} peers`;
}

export function bulkParentMessage(requester: string, scope: string, state: ParentState): SlackMessage {
  return simple(
    `${PARENT_ICON[state]} ${mention(requester)} asked to mark ${scope} read. ${state === 'working' ? 'Working on it…' : 'Finished: summary in the thread.'}`,
  );
}

export function countingMessage(user: string): SlackMessage {
  return simple(
    `:mag: Counting ${code(user)}'s one-to-one conversations… you'll be asked to confirm before anything changes.`,
  );
}

export function confirmAllMessage(runId: string, user: string, count: number): SlackMessage {
  const n = count.toLocaleString('en-US');
  const text = `${code(user)} has *${n}* one-to-one conversation${count === 1 ? '' : 's'}. Mark them all read? Only you can confirm.`;
  return {
    text: `${escapeMrkdwn(user)} has ${n} one-to-one conversations. Mark them all read?`,
    blocks: [
      section(text),
      confirmButtons(runId, {
        button: `Mark all ${n} read`,
        title: 'Mark all read?',
        text: `This marks all ${n} one-to-one conversations of ${code(user)} read, as the IM app admin.`,
        confirm: 'Mark all read',
      }),
    ],
  };
}

/**
 * Confirm (behind Slack's own "are you sure" dialog) and Cancel for a run awaiting confirmation: --all's prompt
 * and a check's Fix it. Both go through the same atomic transitions, for the requester alone.
 */
export function confirmButtons(
  runId: string,
  words: { button: string; title: string; text: string; confirm: string },
): KnownBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: BULK_ACTIONS.confirm,
        value: runId,
        style: 'primary',
        text: { type: 'plain_text', text: words.button },
        confirm: {
          title: { type: 'plain_text', text: words.title },
          text: { type: 'mrkdwn', text: clip(words.text, 300) },
          confirm: { type: 'plain_text', text: words.confirm },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
      { type: 'button', action_id: BULK_ACTIONS.cancel, value: runId, text: { type: 'plain_text', text: 'Cancel' } },
    ],
  };
}

/** `message` with one more section at the end (a proof line added after the fact). */
export function withLine(message: SlackMessage, line: string): SlackMessage {
  return { ...message, blocks: [...message.blocks, section(line)] };
}

/** A one-section message from mrkdwn the caller built (escaping whatever it echoes). */
export function plainMessage(text: string): SlackMessage {
  return simple(text);
}

export function progressMessage(runId: string, summary: RunSummary, total: number): SlackMessage {
  const text = `:hourglass_flowing_sand: *In progress*: ${summary.done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} done · ${summary.ok} OK · ${summary.failed} failed · ${(summary.durationMs / 1000).toFixed(0)} s`;
  return {
    text: clip(text, TEXT_MAX),
    blocks: [
      section(text),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: BULK_ACTIONS.stop,
            value: runId,
            style: 'danger',
            text: { type: 'plain_text', text: 'Stop' },
          },
        ],
      },
    ],
  };
}

/** Runs of at most this many pairs list every pair in their summary, as the CLI's pair lines do. */
export const LIST_PAIRS_UP_TO = 10;

const PAIR_ICON: Record<MarkReadOutcome['status'], string> = {
  ok: ':white_check_mark:',
  failed: ':x:',
  unreachable: ':warning:',
};

/** One pair's line in a small run's summary: outcome and unread before → after. */
function pairLine(result: PairResult): string {
  const { outcome } = result;
  const what =
    outcome.status === 'ok'
      ? unreadLine(result.before, result.after, 'ok').replace('*Unread*: ', 'unread ')
      : `${outcome.errorCode !== undefined ? `ErrorCode ${outcome.errorCode}: ` : ''}${escapeMrkdwn(outcome.meaning)}`;
  return `${PAIR_ICON[outcome.status]} ${code(outcome.request.peer)}: ${what}`;
}

export function summaryMessage(
  summary: RunSummary,
  total: number,
  rerun: string,
  stopReason?: string,
  pairs: PairResult[] = [],
): SlackMessage {
  const icon = summary.stopped ? ':octagonal_sign:' : summary.failed > 0 ? ':warning:' : ':white_check_mark:';
  const lines = [
    `${icon} *${summary.stopped ? 'Stopped' : 'Finished'}*: ${summary.ok} of ${summary.done} OK, ${summary.failed} failed, in ${(summary.durationMs / 1000).toFixed(1)} s.`,
    `*Unread*: ${escapeMrkdwn(describeUnread(summary))}`,
  ];
  if (total <= LIST_PAIRS_UP_TO && pairs.length > 0) {
    // A small run shows every pair, so the thread says which conversation had how many unread.
    lines.push(...pairs.map(pairLine));
    return { text: clip(lines[0] as string, TEXT_MAX), blocks: [section(lines.join('\n'))] };
  }
  for (const g of summary.failures) {
    lines.push(
      `• *${escapeMrkdwn(g.key)}* ×${g.count}: ${escapeMrkdwn(g.meaning)} e.g. ${g.examples.map((e) => code(e)).join(', ')}${g.action ? ` _Next_: ${escapeMrkdwn(g.action)}` : ''}`,
    );
  }
  if (summary.stopped) {
    const why = summary.sourceError ? escapeMrkdwn(summary.sourceError) : (stopReason ?? 'stopped');
    lines.push(
      `${why}. ${Math.max(0, total - summary.done)} of ${total} not done. Marking read is safe to repeat: run ${code(rerun)} again to finish.`,
    );
  }
  return { text: clip(lines[0] as string, TEXT_MAX), blocks: [section(lines.join('\n'))] };
}
