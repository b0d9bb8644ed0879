import type { RunSummary } from './mark-read-run.js';

/**
 * The proof line of a run, claiming only what is known: a total before → after over the pairs whose counts were
 * read both times, and how many were marked without a known count. Failed pairs changed nothing and are not
 * in it. Never "0 → 0" for a run where nothing was counted.
 */
export function describeUnread(
  summary: Pick<RunSummary, 'ok' | 'countsUnknown' | 'unreadBefore' | 'unreadAfter'>,
): string {
  const known = summary.ok - summary.countsUnknown;
  const pairs = (n: number) => `${n.toLocaleString('en-US')} pair${n === 1 ? '' : 's'}`;
  if (summary.ok === 0) return 'unknown: nothing was marked, so there is no before → after';
  if (known === 0 || summary.unreadBefore === null || summary.unreadAfter === null)
    return `unknown for all ${pairs(summary.ok)} marked (the counts could not be read)`;
  const total = `${summary.unreadBefore.toLocaleString('en-US')} → ${summary.unreadAfter.toLocaleString('en-US')} for ${pairs(known)}`;
  return summary.countsUnknown > 0 ? `${total}; unknown for ${pairs(summary.countsUnknown)}` : total;
}
