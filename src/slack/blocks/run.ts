import type { PairResult, RunSummary } from '../../domain/mark-read-run.js';
import { describeUnread } from '../../domain/unread-summary.js';
import { BULK_ACTIONS } from './ids.js';
import { PARENT_ICON, type ParentState, reasonLine, unreadLine } from './mark.js';
import { plainMessage, type SlackMessage, section, TEXT_MAX } from './message.js';
import { clip, code, escapeMrkdwn, mention } from './mrkdwn.js';

/** What a bulk run covers, in words: "`alice`'s conversations with 5 peers" or "all 2,000 of `alice`'s …". */
export function bulkScope(user: string, count: number, all: boolean): string {
  return all
    ? `all ${count.toLocaleString('en-US')} of ${code(user)}'s one-to-one conversations`
    : `${code(user)}'s one-to-one conversations with ${count} peers`;
}

export function bulkParentMessage(requester: string, scope: string, state: ParentState, reason?: string): SlackMessage {
  return plainMessage(
    `${PARENT_ICON[state]} ${mention(requester)} asked to mark ${scope} read. ${state === 'working' ? 'Working on it…' : 'Finished: summary in the thread.'}${reasonLine(reason)}`,
  );
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

/** One pair's line in a small run's summary: outcome and unread before → after. */
function pairLine(result: PairResult): string {
  const { outcome } = result;
  const what =
    outcome.status === 'ok'
      ? unreadLine(result.before, result.after, 'ok').replace('*Unread*: ', 'unread ')
      : `${outcome.errorCode !== undefined ? `ErrorCode ${outcome.errorCode}: ` : ''}${escapeMrkdwn(outcome.meaning)}`;
  return `${PARENT_ICON[outcome.status]} ${code(outcome.request.peer)}: ${what}`;
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
