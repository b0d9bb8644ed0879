import type { MarkReadOutcome } from '../domain/mark-read.js';

/** The outcome as one JSON object, with the API's own field names for what the API said. */
export function outcomeJson(outcome: MarkReadOutcome): Record<string, unknown> {
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
    attempts: outcome.attempts,
    durationMs: outcome.durationMs,
    requestId: outcome.requestId,
  };
}

const LABEL: Record<MarkReadOutcome['status'], string> = { ok: 'OK', failed: 'FAILED', unreachable: 'NO ANSWER' };

export function outcomeText(outcome: MarkReadOutcome): string {
  const rows: Array<[string, string]> = [
    ['ActionStatus', outcome.actionStatus ?? '(none: no usable answer)'],
    ['ErrorCode', outcome.errorCode === undefined ? '(none)' : String(outcome.errorCode)],
    ['ErrorInfo', outcome.errorInfo === undefined ? '(none)' : outcome.errorInfo === '' ? '""' : outcome.errorInfo],
    ['Meaning', outcome.meaning],
  ];
  if (outcome.action) rows.push(['Next', outcome.action]);
  rows.push(['Attempts', String(outcome.attempts)], ['Time', `${outcome.durationMs} ms`], ['Request id', String(outcome.requestId)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${LABEL[outcome.status]}  ${outcome.request.user} ↔ ${outcome.request.peer}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n') + '\n';
}
