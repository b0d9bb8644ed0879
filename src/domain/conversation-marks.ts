import { type AuditScope, recordIn } from '../audit/scope.js';
import {
  CONTACTS_PER_SEARCH,
  clearStandardMark,
  MARKS_PER_CALL,
  searchContactGroup,
} from '../im/apis/contact-marks.js';
import type { ImCaller } from '../im/caller.js';
import type { CallResult } from '../im/client.js';
import { explainError } from '../im/error-catalogue.js';
import type { ImEnvelope } from '../im/response.js';
import type { MarkReadDeps } from './mark-read.js';
import { MARKED_UNREAD, type MarkState, readStandardMark } from './standard-mark.js';

/** The edition lacks conversation marks. */
export const NO_MARKS_EDITION = 51013;
export const NO_MARKS_LINE =
  'this IM app\'s edition has no conversation marks (ErrorCode 51013), so markread can neither read nor clear "marked unread"; conversation marks need the Ultimate (or Pro Plus / Enterprise) edition';

/** One conversation's "marked unread" as read: its state (undefined: not a bit string) and the string itself. */
export interface MarkSeen {
  state: MarkState | undefined;
  standardMark?: string;
}

/** Whether each conversation is marked unread by hand; or why that cannot be known. */
export type MarkReading =
  | { ok: true; marked: Map<string, MarkSeen> }
  | { ok: false; unsupported: boolean; reason: string };

/** Set, or possibly set: a conversation markread clears, so that no real "marked unread" is missed. */
export const mayBeMarked = (seen: MarkSeen | undefined) => seen?.state === 'set' || seen?.state === 'ambiguous';

function failure(result: Exclude<CallResult<ImEnvelope>, { status: 'ok' }>, what: string) {
  if (result.status === 'fail')
    return result.error.code === NO_MARKS_EDITION
      ? { ok: false as const, unsupported: true, reason: NO_MARKS_LINE }
      : {
          ok: false as const,
          unsupported: false,
          reason: `${what} failed: ErrorCode ${result.error.code}, ${result.error.meaning}`,
        };
  return { ok: false as const, unsupported: false, reason: `${what} got no answer: ${result.failure.detail}` };
}

/** Reads the "marked unread" mark of `user`'s conversations with `peers` (300 per call). */
export async function readUnreadMarks(
  client: ImCaller,
  user: string,
  peers: string[],
  signal?: AbortSignal,
): Promise<MarkReading> {
  const marked = new Map<string, MarkSeen>();
  for (let i = 0; i < peers.length; i += CONTACTS_PER_SEARCH) {
    const chunk = peers.slice(i, i + CONTACTS_PER_SEARCH);
    const result = await searchContactGroup(client, user, chunk, signal);
    if (result.status !== 'ok') return failure(result, 'reading conversation marks');
    for (const peer of chunk) marked.set(peer, { state: 'clear' });
    for (const item of result.response.ContactItem)
      if (item.To_Account !== undefined && marked.has(item.To_Account))
        marked.set(item.To_Account, {
          state: readStandardMark(item.StandardMark, MARKED_UNREAD),
          standardMark: item.StandardMark,
        });
  }
  return { ok: true, marked };
}

/** One conversation's "marked unread", before and after clearing it, as proof. */
export interface MarkProof {
  peer: string;
  /** 'cleared' only when the mark was read again afterwards and found clear. */
  outcome: 'cleared' | 'could not clear' | 'not marked';
  detail?: string;
}

export type ClearMarksReport =
  | { ok: true; proofs: MarkProof[]; cleared: number; notCleared: number }
  | { ok: false; unsupported: boolean; reason: string };

/**
 * Clears the "marked unread" mark (mark_contact, OptType 1, ClearMark [2] by the docs; 100 items per call) where it
 * is set or may be set, then reads the marks again: a conversation counts as cleared only if the second reading
 * says clear both ways the string can be read.
 */
export async function clearUnreadMarks(
  app: MarkReadDeps,
  user: string,
  peers: string[],
  audit: AuditScope,
  signal?: AbortSignal,
): Promise<ClearMarksReport> {
  const report = await clearMarks(app.client, user, peers, signal);
  recordIn(audit, { kind: 'marks-cleared', target: { user, peers }, outcome: clearedOutcome(report) }, app);
  return report;
}

function clearedOutcome(report: ClearMarksReport) {
  if (!report.ok) return { status: report.unsupported ? 'unsupported' : 'failed', detail: report.reason };
  const status = report.notCleared > 0 ? 'failed' : report.cleared > 0 ? 'cleared' : 'none-marked';
  return { status, detail: `${report.cleared} cleared, ${report.notCleared} could not be cleared` };
}

async function clearMarks(
  client: ImCaller,
  user: string,
  peers: string[],
  signal?: AbortSignal,
): Promise<ClearMarksReport> {
  const before = await readUnreadMarks(client, user, peers, signal);
  if (!before.ok) return before;
  const set = peers.filter((p) => mayBeMarked(before.marked.get(p)));
  const refused = new Map<string, string>();
  for (let i = 0; i < set.length; i += MARKS_PER_CALL) {
    const chunk = set.slice(i, i + MARKS_PER_CALL);
    const result = await clearStandardMark(client, user, chunk, MARKED_UNREAD, signal);
    if (result.status !== 'ok') {
      const why = failure(result, 'clearing marks');
      if (why.unsupported) return why;
      for (const peer of chunk) refused.set(peer, why.reason);
      continue;
    }
    for (const item of result.response.ResultItem)
      if (item.ResultCode !== 0 && item.ContactItem?.To_Account)
        refused.set(
          item.ContactItem.To_Account,
          `ErrorCode ${item.ResultCode}, ${explainError(item.ResultCode).meaning}`,
        );
  }
  const after = set.length > 0 ? await readUnreadMarks(client, user, set, signal) : before;
  const proofs = peers.map((peer): MarkProof => {
    if (!mayBeMarked(before.marked.get(peer))) return { peer, outcome: 'not marked' };
    if (refused.has(peer)) return { peer, outcome: 'could not clear', detail: refused.get(peer) };
    if (!after.ok) return { peer, outcome: 'could not clear', detail: `not confirmed: ${after.reason}` };
    return proofAfter(peer, after.marked.get(peer));
  });
  return {
    ok: true,
    proofs,
    cleared: proofs.filter((p) => p.outcome === 'cleared').length,
    notCleared: proofs.filter((p) => p.outcome === 'could not clear').length,
  };
}

/** What the second reading proves: clear both ways, or still (possibly) marked, with the string it read. */
function proofAfter(peer: string, seen: MarkSeen | undefined): MarkProof {
  if (seen?.state === 'clear') return { peer, outcome: 'cleared' };
  const read = seen?.standardMark !== undefined ? ` (StandardMark ${seen.standardMark})` : '';
  const detail =
    seen?.state === 'ambiguous'
      ? `still possibly marked when read again${read}: the set bit may be another mark, as the docs leave open which end of the string is mark 1`
      : `still marked when read again${read}`;
  return { peer, outcome: 'could not clear', detail };
}
