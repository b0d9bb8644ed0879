import { type AuditScope, recordIn } from '../audit/scope.js';
import { ACCOUNTS_PER_CHECK, accountCheck } from '../im/apis/account-check.js';
import { getC2cUnreadTotal } from '../im/apis/get-c2c-unread-msg-num.js';
import { type MarkReading, type MarkSeen, mayBeMarked, readUnreadMarks } from './conversation-marks.js';
import { ConversationListError, conversationItems } from './conversations.js';
import type { MarkReadDeps } from './mark-read.js';
import { readUnreadCounts, type UnreadCount } from './unread-counts.js';

/** One one-to-one conversation as the check saw it. */
export interface CheckedConversation {
  peer: string;
  unread: UnreadCount;
  /**
   * Marked unread by the user (a badge with no unread messages): true where the mark is set or may be set (see
   * standard-mark.ts); undefined when marks cannot be read.
   */
  markedUnread: boolean | undefined;
  /** True where the two readings of StandardMark disagree, so the check says "maybe" and shows the string. */
  markUncertain?: boolean;
  /** The StandardMark string as read, shown beside a mark so a person can judge it. */
  standardMark?: string;
}

/** "Why is this badge stuck, and what would markread fix": everything a check found, read-only. */
export interface BadgeReport {
  user: string;
  /** Whether the user exists; undefined if account_check could not say. */
  userExists: boolean | undefined;
  /** Peers named in the command that do not exist. */
  missingPeers: string[];
  /** Why existence could not be checked, if it could not. */
  accountsError?: string;
  /** AllC2CUnreadMsgNum: the user's unread total over one-to-one conversations. */
  totalUnread: number | undefined;
  /** The conversations examined (the named peers, or the whole list), most unread first. */
  conversations: CheckedConversation[];
  withUnread: number;
  withoutUnread: number;
  marks: { readable: true } | { readable: false; reason: string; unsupported: boolean };
  /** Group conversations in the list (not markable for one member by any supported API). */
  groups: { count: number; first: string[] };
  /** Why the conversation list could not be read to the end, if it could not. */
  listError?: string;
  /** What markread would do: mark these read (with this many unread) and clear the unread mark of those. */
  plan: { mark: string[]; unread: number; clearMarks: string[] };
}

/** Groups named in a report; more are counted, not listed. */
const GROUPS_SHOWN = 5;

/**
 * Looks before acting: which accounts exist, the unread total, the unread count and the "marked unread" mark of
 * each conversation (the named peers, or the whole list), the group conversations, and what markread would do.
 * Makes no change; records one audit event saying it was a check.
 */
export async function checkBadge(
  deps: MarkReadDeps,
  user: string,
  peers: string[],
  audit: AuditScope,
  signal?: AbortSignal,
): Promise<BadgeReport> {
  const { client } = deps;
  const report = emptyReport(user);
  const missing = await checkAccounts(client, report, [user, ...peers], signal);
  report.missingPeers = peers.filter((p) => missing.has(p));
  if (report.userExists === false) return logged(deps, report, audit);

  const total = await getC2cUnreadTotal(client, user, signal);
  if (total.status === 'ok') report.totalUnread = total.response.AllC2CUnreadMsgNum;
  const named = peers.filter((p) => !missing.has(p));
  const examined = [...new Set(peers.length === 0 ? await listConversations(client, report, signal) : named)];
  report.conversations = await examine(client, report, examined, signal);
  planFix(report);
  return logged(deps, report, audit);
}

function emptyReport(user: string): BadgeReport {
  return {
    user,
    userExists: undefined,
    missingPeers: [],
    totalUnread: undefined,
    conversations: [],
    withUnread: 0,
    withoutUnread: 0,
    marks: { readable: true },
    groups: { count: 0, first: [] },
    plan: { mark: [], unread: 0, clearMarks: [] },
  };
}

/**
 * Which of `accounts` (the user first) do not exist, ACCOUNTS_PER_CHECK at a time. Sets whether the user exists,
 * or why existence could not be checked.
 */
async function checkAccounts(
  client: MarkReadDeps['client'],
  report: BadgeReport,
  accounts: string[],
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let i = 0; i < accounts.length; i += ACCOUNTS_PER_CHECK) {
    const result = await accountCheck(client, accounts.slice(i, i + ACCOUNTS_PER_CHECK), signal);
    if (result.status !== 'ok') {
      report.accountsError =
        result.status === 'fail'
          ? `account_check failed: ErrorCode ${result.error.code}, ${result.error.meaning}`
          : `account_check got no answer: ${result.failure.detail}`;
      break;
    }
    for (const item of result.response.ResultItem)
      if (item.ResultCode !== 0 || item.AccountStatus === 'NotImported') missing.add(item.UserID);
  }
  if (report.accountsError === undefined) report.userExists = !missing.has(report.user);
  return missing;
}

/** The peers of the user's one-to-one conversations; counts the group conversations, and says if the list broke. */
async function listConversations(
  client: MarkReadDeps['client'],
  report: BadgeReport,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const peers: string[] = [];
  try {
    for await (const item of conversationItems(client, report.user, signal)) {
      if (item.type === 'c2c') {
        if (item.peer !== report.user) peers.push(item.peer);
      } else {
        report.groups.count++;
        if (report.groups.first.length < GROUPS_SHOWN) report.groups.first.push(item.groupId);
      }
    }
  } catch (error) {
    if (!(error instanceof ConversationListError)) throw error;
    report.listError = error.message;
  }
  return peers;
}

/** Each conversation's unread count and unread mark, most unread first; notes when marks cannot be read. */
async function examine(
  client: MarkReadDeps['client'],
  report: BadgeReport,
  examined: string[],
  signal: AbortSignal | undefined,
): Promise<CheckedConversation[]> {
  if (examined.length === 0) return [];
  const counts = await readUnreadCounts(client, report.user, examined, signal);
  const marks: MarkReading = await readUnreadMarks(client, report.user, examined, signal);
  if (!marks.ok) report.marks = { readable: false, reason: marks.reason, unsupported: marks.unsupported };
  return examined
    .map((peer) => ({
      peer,
      unread: counts.get(peer) ?? ({ known: false, reason: 'not read' } as UnreadCount),
      ...markOf(marks.ok ? marks.marked.get(peer) : undefined),
    }))
    .sort((a, b) => unreadOf(b) - unreadOf(a));
}

/** What markread would do: mark read the conversations with unread messages, clear the marks that are set. */
function planFix(report: BadgeReport): void {
  for (const c of report.conversations) {
    const n = unreadOf(c);
    if (n > 0) {
      report.withUnread++;
      report.plan.mark.push(c.peer);
      report.plan.unread += n;
    } else report.withoutUnread++;
    if (c.markedUnread === true) report.plan.clearMarks.push(c.peer);
  }
}

function markOf(
  seen: MarkSeen | undefined,
): Pick<CheckedConversation, 'markedUnread' | 'markUncertain' | 'standardMark'> {
  if (seen === undefined || seen.state === undefined)
    return { markedUnread: undefined, standardMark: seen?.standardMark };
  if (!mayBeMarked(seen)) return { markedUnread: false };
  return { markedUnread: true, markUncertain: seen.state === 'ambiguous', standardMark: seen.standardMark };
}

const unreadOf = (c: CheckedConversation) => (c.unread.known ? c.unread.count : 0);

function logged(deps: MarkReadDeps, report: BadgeReport, audit: AuditScope): BadgeReport {
  const peers = report.conversations.map((c) => c.peer);
  recordIn(
    audit,
    {
      kind: 'check',
      target: {
        user: report.user,
        ...(peers.length > 0 ? { peers: peers.slice(0, LISTED) } : {}),
        count: peers.length,
      },
      outcome: {
        status: report.userExists === false ? 'no-such-user' : 'checked',
        unreadBefore: report.totalUnread ?? null,
        detail: `read-only: ${report.withUnread} conversation(s) with unread, ${report.plan.clearMarks.length} marked unread, ${report.missingPeers.length} peer(s) not found`,
      },
    },
    deps,
  );
  return report;
}

/** Conversations a check lists by name; more are counted. */
export const LISTED = 20;

/**
 * The conversations worth naming in a check, most unread first: those with unread messages, an unknown count, or
 * an unread mark. Every surface lists the first LISTED of them and counts the rest.
 */
export function notableConversations(report: BadgeReport): { listed: CheckedConversation[]; more: number } {
  const notable = report.conversations.filter((c) => !c.unread.known || c.unread.count > 0 || c.markedUnread);
  return { listed: notable.slice(0, LISTED), more: Math.max(0, notable.length - LISTED) };
}

/**
 * A conversation's unread mark in words, with the StandardMark string it was read from so a person can judge it;
 * undefined where it is not marked.
 */
export function describeMark(c: CheckedConversation): string | undefined {
  if (!c.markedUnread) return undefined;
  const read = c.standardMark !== undefined ? `StandardMark ${c.standardMark}` : 'StandardMark';
  return c.markUncertain
    ? `maybe marked unread by the user: markread can clear it with --clear-marks and prove it by reading again (${read}: the docs leave open which end of it is mark 1)`
    : `marked unread by the user: markread can clear it with --clear-marks (${read})`;
}

/** "mark 14 conversations read (37 unread), clear 2 unread marks", or that there is nothing to do. */
export function describePlan(plan: BadgeReport['plan']): string {
  const parts: string[] = [];
  if (plan.mark.length > 0)
    parts.push(
      `mark ${plan.mark.length} conversation${plan.mark.length === 1 ? '' : 's'} read (${plan.unread} unread)`,
    );
  if (plan.clearMarks.length > 0)
    parts.push(`clear ${plan.clearMarks.length} unread mark${plan.clearMarks.length === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing: no unread messages and no unread marks were found';
}

/** The peers a fix touches: those to mark read and those to unmark, once each, in report order. */
export function planPeers(plan: BadgeReport['plan']): string[] {
  return [...new Set([...plan.mark, ...plan.clearMarks])];
}
