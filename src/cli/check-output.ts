import { type BadgeReport, describeMark, describePlan, notableConversations } from '../domain/badge-check.js';
import type { ClearMarksReport } from '../domain/conversation-marks.js';
import { formatCount } from '../domain/unread-counts.js';
import { visible } from '../text/visible.js';

/** The check as a person reads it: what exists, the totals, the top conversations, marks, groups, the plan. */
export function checkText(report: BadgeReport, fixCommand: string): string {
  const lines: string[] = [`Check of ${report.user}'s badge (read-only: nothing was changed)`];
  if (report.accountsError) lines.push(`  Accounts      could not be checked: ${report.accountsError}`);
  else if (report.userExists === false) {
    lines.push(
      `  Accounts      ${report.user} does not exist in this IM app (check the UserID; they are case-sensitive)`,
    );
    return `${lines.join('\n')}\n`;
  } else
    lines.push(
      `  Accounts      ${report.user} exists${report.missingPeers.length ? `; not found: ${report.missingPeers.join(', ')}` : ''}`,
    );
  lines.push(
    `  Unread total  ${report.totalUnread ?? 'unknown'} in one-to-one conversations (AllC2CUnreadMsgNum; groups not included)`,
  );
  lines.push(
    `  Conversations ${report.withUnread} with unread messages, ${report.withoutUnread} without${report.listError ? ` (list incomplete: ${report.listError})` : ''}`,
  );
  const { listed, more } = notableConversations(report);
  for (const c of listed) {
    const described = describeMark(c);
    const mark = described ? `  ${visible(described)}` : '';
    lines.push(`    ${visible(c.peer).padEnd(24)} unread ${formatCount(c.unread)}${mark}`);
  }
  if (more > 0) lines.push(`    … and ${more} more`);
  lines.push(
    report.marks.readable
      ? `  Unread marks  ${report.plan.clearMarks.length} conversation${report.plan.clearMarks.length === 1 ? '' : 's'} marked unread by hand (a badge with no unread messages)`
      : `  Unread marks  cannot be read: ${report.marks.reason}`,
  );
  if (report.groups.count > 0)
    lines.push(
      `  Groups        ${report.groups.count} group conversation${report.groups.count === 1 ? '' : 's'} (${report.groups.first.map((g) => visible(g)).join(', ')}${report.groups.count > report.groups.first.length ? ', …' : ''}) also count in a badge; no supported API marks a group conversation read for one member`,
    );
  lines.push(`  markread would ${describePlan(report.plan)}`);
  if (report.plan.mark.length + report.plan.clearMarks.length > 0) lines.push(`  To do it: ${fixCommand}`);
  return `${lines.join('\n')}\n`;
}

export function checkJson(report: BadgeReport): Record<string, unknown> {
  return {
    check: {
      ...report,
      conversations: report.conversations.map((c) => ({
        peer: c.peer,
        unread: c.unread.known ? c.unread.count : null,
        unreadUnknown: c.unread.known ? undefined : c.unread.reason,
        markedUnread: c.markedUnread ?? null,
        markUncertain: c.markUncertain ?? false,
        standardMark: c.standardMark ?? null,
      })),
      plan: { ...report.plan, summary: describePlan(report.plan) },
    },
  };
}

/** "unread mark: set → cleared" per conversation that had one; one line for an edition without marks. */
export function marksText(report: ClearMarksReport): string {
  if (!report.ok) return `Unread marks: not cleared: ${report.reason}\n`;
  const lines = report.proofs
    .filter((p) => p.outcome !== 'not marked')
    .map(
      (p) =>
        `  ${visible(p.peer)}: unread mark: set → ${p.outcome === 'cleared' ? 'cleared' : `still set (could not clear${p.detail ? `: ${p.detail}` : ''})`}`,
    );
  const head =
    lines.length === 0
      ? 'Unread marks: none were set.'
      : `Unread marks: ${report.cleared} cleared${report.notCleared ? `, ${report.notCleared} could not be cleared` : ''}.`;
  return `${[head, ...lines].join('\n')}\n`;
}

export function marksJson(report: ClearMarksReport): Record<string, unknown> {
  return report.ok
    ? { marks: { cleared: report.cleared, notCleared: report.notCleared, proofs: report.proofs } }
    : { marks: { error: report.reason, unsupported: report.unsupported } };
}
