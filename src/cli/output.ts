import type { MarkReadOutcome } from '../domain/mark-read.js';
import type { PairResult, RunSummary } from '../domain/mark-read-run.js';
import { formatCount, type UnreadCount } from '../domain/unread-counts.js';
import { describeUnread } from '../domain/unread-summary.js';

const count = (c: UnreadCount) => (c.known ? c.count : null);

/** The outcome as one JSON object, with the API's own field names for what the API said. */
export function outcomeJson(result: PairResult): Record<string, unknown> {
  const { outcome } = result;
  return {
    user: outcome.request.user,
    peer: outcome.request.peer,
    readTime: outcome.request.readTime ?? null,
    status: outcome.status,
    ActionStatus: outcome.actionStatus ?? null,
    ErrorCode: outcome.errorCode ?? null,
    ErrorInfo: outcome.errorInfo ?? null,
    meaning: outcome.meaning,
    action: outcome.action ?? null,
    unreadBefore: count(result.before),
    unreadAfter: count(result.after),
    attempts: outcome.attempts,
    durationMs: outcome.durationMs,
    requestId: outcome.requestId,
  };
}

const LABEL: Record<MarkReadOutcome['status'], string> = { ok: 'OK', failed: 'FAILED', unreachable: 'NO ANSWER' };

export function unreadText(result: PairResult): string {
  const note = !result.before.known
    ? ` (before unknown: ${result.before.reason})`
    : !result.after.known && result.outcome.status === 'ok'
      ? ` (after unknown: ${result.after.reason})`
      : '';
  return `${formatCount(result.before)} → ${result.outcome.status === 'ok' ? formatCount(result.after) : 'unchanged'}${note}`;
}

/** The detailed block for a single pair. */
export function outcomeText(result: PairResult): string {
  const { outcome } = result;
  const rows: Array<[string, string]> = [
    ['ActionStatus', outcome.actionStatus ?? '(none: no usable answer)'],
    ['ErrorCode', outcome.errorCode === undefined ? '(none)' : String(outcome.errorCode)],
    ['ErrorInfo', outcome.errorInfo === undefined ? '(none)' : outcome.errorInfo === '' ? '""' : outcome.errorInfo],
    ['Meaning', outcome.meaning],
  ];
  if (outcome.action) rows.push(['Next', outcome.action]);
  rows.push(['Unread', unreadText(result)]);
  rows.push(
    ['Attempts', String(outcome.attempts)],
    ['Time', `${outcome.durationMs} ms`],
    ['Request id', String(outcome.requestId)],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${[
    `${LABEL[outcome.status]}  ${outcome.request.user} ↔ ${outcome.request.peer}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join('\n')}\n`;
}

/** One line per pair in a bulk run. */
export function pairLine(result: PairResult): string {
  const { outcome } = result;
  const detail =
    outcome.status === 'ok'
      ? `unread ${unreadText(result)}`
      : `${outcome.errorCode !== undefined ? `ErrorCode ${outcome.errorCode}: ` : ''}${outcome.meaning}`;
  return `${LABEL[outcome.status].padEnd(9)} ${outcome.request.user} ↔ ${outcome.request.peer}  ${detail}  (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}, ${outcome.durationMs} ms)\n`;
}

export function summaryText(summary: RunSummary, total?: number): string {
  const lines = [
    `Summary: ${summary.ok} of ${summary.done} OK, ${summary.failed} failed, in ${(summary.durationMs / 1000).toFixed(1)} s. Unread ${describeUnread(summary)}.`,
  ];
  for (const g of summary.failures) {
    lines.push(
      `  ${g.key} ×${g.count}: ${g.meaning} e.g. ${g.examples.join(', ')}${g.action ? `. Next: ${g.action}` : ''}`,
    );
  }
  if (summary.stopped) {
    const notDone = total !== undefined ? `${Math.max(0, total - summary.done)} not done` : 'the rest not done';
    lines.push(
      `Stopped before the end${summary.sourceError ? ` (${summary.sourceError})` : ''}: ${notDone}. Marking read is safe to repeat: run the same command again to finish.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function summaryJson(summary: RunSummary, total?: number): Record<string, unknown> {
  return { summary: { ...summary, total: total ?? null } };
}
