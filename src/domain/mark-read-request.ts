import { quote } from '../text/visible.js';
import { checkReadTime, checkUserId } from './user-id.js';

export interface MarkReadRequest {
  /** The account whose conversation becomes read (Report_Account). */
  user: string;
  /** The other side of the one-to-one conversation (Peer_Account). */
  peer: string;
  /** Unix seconds; messages before it become read. Absent means "now". */
  readTime?: number;
}

/** One request per peer of `user`, in order. */
export function markReadRequests(user: string, peers: string[], readTime?: number): MarkReadRequest[] {
  return peers.map((peer) => markReadRequest(user, peer, readTime));
}

/** A request, with `readTime` present only when given (the API body then carries MsgReadTime). */
export function markReadRequest(user: string, peer: string, readTime?: number): MarkReadRequest {
  return readTime === undefined ? { user, peer } : { user, peer, readTime };
}

export interface RequestProblem {
  field: 'user' | 'peer' | 'readTime';
  message: string;
}

/**
 * Validates raw user, peer and read-time input from any entry point (CLI arguments, slash-command text, modal
 * fields). Returns every problem, each tied to the field it concerns, so a modal can show it inline.
 */
export function parseMarkReadRequest(
  input: { user: string; peer: string; readTime?: string | undefined },
  nowMs = Date.now(),
): { ok: true; request: MarkReadRequest } | { ok: false; problems: RequestProblem[] } {
  const problems: RequestProblem[] = [];
  const user = checkUserId(input.user, 'user');
  const peer = checkUserId(input.peer, 'peer');
  if (!user.ok) problems.push({ field: 'user', message: user.message });
  if (!peer.ok) problems.push({ field: 'peer', message: peer.message });
  if (user.ok && peer.ok && user.value === peer.value) {
    problems.push({
      field: 'peer',
      message: `user and peer are both ${quote(user.value)}; a one-to-one conversation needs two different accounts`,
    });
  }
  let readTime: number | undefined;
  if (input.readTime !== undefined && input.readTime.trim() !== '') {
    const checked = checkReadTime(input.readTime, nowMs);
    if (checked.ok) readTime = checked.value;
    else problems.push({ field: 'readTime', message: checked.message });
  }
  if (problems.length > 0 || !user.ok || !peer.ok) return { ok: false, problems };
  return { ok: true, request: markReadRequest(user.value, peer.value, readTime) };
}
