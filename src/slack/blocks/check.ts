import type { types } from '@slack/bolt';
import { type BadgeReport, describeMark, describePlan, notableConversations } from '../../domain/badge-check.js';
import type { ClearMarksReport } from '../../domain/conversation-marks.js';
import { formatCount } from '../../domain/unread-counts.js';
import { confirmButtons } from './confirm.js';
import { plainMessage, type SlackMessage, section, TEXT_MAX } from './message.js';
import { clip, code, escapeMrkdwn } from './mrkdwn.js';

/** The ack of a check: the answer follows privately. */
export function checkingMessage(user: string): SlackMessage {
  return plainMessage(
    `:mag: Checking ${code(user)}'s badge (read-only: nothing will change); the answer follows, for you alone.`,
  );
}

/**
 * A check's answer to "why is this badge stuck, and what would markread fix", for the requester alone. With
 * `runId` it ends with a button that does exactly what it says, through the same confirmation as --all.
 */
export function checkMessage(report: BadgeReport, runId: string | undefined): SlackMessage {
  const who = code(report.user);
  const lines = [`:mag: *Check of ${who}'s badge* (read-only: nothing was changed)`];
  if (report.accountsError) lines.push(`*Accounts*: could not be checked: ${escapeMrkdwn(report.accountsError)}`);
  else if (report.userExists === false) {
    lines.push(`*Accounts*: ${who} does not exist in this IM app. UserIDs are case-sensitive; check the spelling.`);
    return { text: clip(lines.join(' '), TEXT_MAX), blocks: [section(lines.join('\n'))] };
  } else if (report.missingPeers.length > 0)
    lines.push(`*Accounts*: not found: ${report.missingPeers.map(code).join(', ')}`);
  lines.push(
    `*Unread total*: ${report.totalUnread ?? 'unknown'} in one-to-one conversations (groups not included)`,
    `*Conversations*: ${report.withUnread} with unread messages, ${report.withoutUnread} without${report.listError ? ` (list incomplete: ${escapeMrkdwn(report.listError)})` : ''}`,
  );
  const { listed, more } = notableConversations(report);
  const shown = listed.map((c) => {
    const mark = describeMark(c);
    return `• ${code(c.peer)}: unread ${formatCount(c.unread)}${mark ? ` · _${escapeMrkdwn(mark)}_` : ''}`;
  });
  lines.push(...shown);
  if (more > 0) lines.push(`• … and ${more} more`);
  lines.push(
    report.marks.readable
      ? `*Unread marks*: ${report.plan.clearMarks.length} conversation${report.plan.clearMarks.length === 1 ? '' : 's'} marked unread by hand (a badge with no unread messages)`
      : `*Unread marks*: cannot be read: ${escapeMrkdwn(report.marks.reason)}`,
  );
  if (report.groups.count > 0)
    lines.push(
      `*Groups*: ${report.groups.count} group conversation${report.groups.count === 1 ? '' : 's'} (${report.groups.first.map(code).join(', ')}${report.groups.count > report.groups.first.length ? ', …' : ''}) also count in a badge; no supported API marks a group conversation read for one member.`,
    );
  const plan = describePlan(report.plan);
  lines.push(`*markread would* ${escapeMrkdwn(plan)}.`);
  const blocks: types.KnownBlock[] = [section(clip(lines.join('\n'), TEXT_MAX))];
  if (runId !== undefined)
    blocks.push(
      confirmButtons(runId, {
        button: 'Fix it',
        title: 'Fix this badge?',
        text: `This will ${escapeMrkdwn(plan)} for ${who}, as the IM app admin.`,
        confirm: 'Fix it',
      }),
    );
  return {
    text: clip(`Check of ${escapeMrkdwn(report.user)}'s badge: markread would ${escapeMrkdwn(plan)}.`, TEXT_MAX),
    blocks,
  };
}

/** The proof line for cleared marks: "Unread marks: 2 set → 2 cleared", or why not. */
export function marksLine(report: ClearMarksReport): string {
  if (!report.ok) return `*Unread marks*: not cleared: ${escapeMrkdwn(report.reason)}`;
  const set = report.proofs.filter((p) => p.outcome !== 'not marked');
  if (set.length === 0) return '*Unread marks*: none were set.';
  const failed = set.filter((p) => p.outcome === 'could not clear');
  const detail =
    set.length <= 10
      ? ` (${set.map((p) => `${code(p.peer)}: set → ${p.outcome === 'cleared' ? 'cleared' : 'could not clear'}`).join(', ')})`
      : failed.length > 0
        ? ` (could not clear: ${failed
            .slice(0, 5)
            .map((p) => code(p.peer))
            .join(', ')}${failed.length > 5 ? ', …' : ''})`
        : '';
  return `*Unread marks*: ${set.length} set → ${report.cleared} cleared${failed.length ? `, ${failed.length} could not be cleared` : ''}${detail}`;
}
