import type { types } from '@slack/bolt';
import type { MarkReadOutcome } from '../../domain/mark-read.js';
import type { MarkReadRequest } from '../../domain/mark-read-request.js';
import type { PairResult } from '../../domain/mark-read-run.js';
import { REASON_SHOWN } from '../../domain/reason.js';
import type { UnreadCount } from '../../domain/unread-counts.js';
import { clipPlain } from '../../text/visible.js';
import { contextBlock, plainMessage, type SlackMessage, section, TEXT_MAX } from './message.js';
import { clip, code, escapeMrkdwn, mention } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

/** One conversation, in words: "`alice`'s one-to-one conversation with `bob` up to <date>". */
export function conversation(request: MarkReadRequest): string {
  const upTo =
    request.readTime === undefined
      ? ''
      : ` up to <!date^${request.readTime}^{date_short_pretty} {time}|${new Date(request.readTime * 1000).toISOString()}>`;
  return `${code(request.user)}'s one-to-one conversation with ${code(request.peer)}${upTo}`;
}

export function workingMessage(request: MarkReadRequest): SlackMessage {
  return plainMessage(
    `:hourglass_flowing_sand: Working on it: marking ${conversation(request)} read. The outcome will follow in a thread (or here, if I can't post in this channel).`,
  );
}

export type ParentState = 'working' | MarkReadOutcome['status'];

export const PARENT_ICON: Record<ParentState, string> = {
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

/** The channel message that says who asked for what, and why; its thread holds the outcome. */
export function parentMessage(
  requester: string,
  request: MarkReadRequest,
  state: ParentState,
  reason?: string,
): SlackMessage {
  return plainMessage(
    `${PARENT_ICON[state]} ${mention(requester)} asked to mark ${conversation(request)} read. ${PARENT_SUFFIX[state]}${reasonLine(reason)}`,
  );
}

/**
 * "Reason: `…`" on a line of its own, or nothing. In code, so the requester's words are shown as typed: no
 * *bold*, no link, no <!channel> (escaped too); clipped, and saying so, past REASON_SHOWN characters.
 */
export function reasonLine(reason: string | undefined): string {
  if (reason === undefined) return '';
  const shown = clipPlain(reason, REASON_SHOWN);
  const clipped = shown === reason ? '' : ` _(clipped to ${REASON_SHOWN} characters; the audit trail has it whole)_`;
  return `\n*Reason*: ${code(shown)}${clipped}`;
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
    contextBlock(
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
    contextBlock(
      `I couldn't post in this channel (${escapeMrkdwn(slackError)}), so only you see this. To get a thread others can see, invite me with \`/invite @markread\` (public or private channel), or run /markread in a channel I'm in.`,
    ),
  );
  return message;
}

export function unreadLine(before: UnreadCount, after: UnreadCount, status: MarkReadOutcome['status']): string {
  if (status !== 'ok') return `*Unread*: ${before.known ? before.count : 'unknown'} (unchanged)`;
  if (!before.known)
    return `*Unread*: unknown before (${escapeMrkdwn(before.reason)}) → ${after.known ? after.count : 'unknown'}`;
  if (!after.known) return `*Unread*: ${before.count} → unknown (${escapeMrkdwn(after.reason)})`;
  return `*Unread*: ${before.count} → ${after.count}`;
}
