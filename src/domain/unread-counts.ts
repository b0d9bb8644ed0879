import { getC2cUnreadMsgNum, UNREAD_PEERS_PER_CALL } from '../im/apis/get-c2c-unread-msg-num.js';
import type { ImCaller } from '../im/caller.js';
import type { CallLimits } from '../im/client.js';
import { explainError } from '../im/error-catalogue.js';

/** The reason given when a count was skipped because the count API's budget was used up by other calls. */
export const COUNT_BUSY = 'not read: count API busy';

/** An unread count, or why it is not known. A failed count never stops a mark-read. */
export type UnreadCount = { known: true; count: number } | { known: false; reason: string };

/** Reads `user`'s unread counts with each peer, ten peers per call, the calls in parallel. */
export async function readUnreadCounts(
  client: ImCaller,
  user: string,
  peers: string[],
  signal?: AbortSignal,
  limits?: CallLimits,
): Promise<Map<string, UnreadCount>> {
  const counts = new Map<string, UnreadCount>();
  const chunks: string[][] = [];
  for (let i = 0; i < peers.length; i += UNREAD_PEERS_PER_CALL) chunks.push(peers.slice(i, i + UNREAD_PEERS_PER_CALL));
  await Promise.all(
    chunks.map(async (chunk) => {
      const result = await getC2cUnreadMsgNum(client, { toAccount: user, peerAccounts: chunk }, signal, limits);
      if (result.status !== 'ok') {
        const reason =
          result.status === 'fail'
            ? `count query failed: ErrorCode ${result.error.code}, ${result.error.meaning}`
            : result.failure.kind === 'deadline'
              ? `${COUNT_BUSY} (${result.failure.detail})`
              : result.failure.kind === 'circuit-open'
                ? `not read: ${result.failure.detail}`
                : `count query got no answer: ${result.failure.detail}`;
        for (const peer of chunk) counts.set(peer, { known: false, reason });
        return;
      }
      for (const item of result.response.C2CUnreadMsgNumList)
        counts.set(item.Peer_Account, { known: true, count: item.C2CUnreadMsgNum });
      for (const item of result.response.ErrorList)
        counts.set(item.Peer_Account, {
          known: false,
          reason: `ErrorCode ${item.ErrorCode}: ${explainError(item.ErrorCode).meaning}`,
        });
      for (const peer of chunk)
        if (!counts.has(peer)) counts.set(peer, { known: false, reason: 'the count query did not mention this peer' });
    }),
  );
  return counts;
}

/** A count as a person reads it: never a zero or a bare "?" for a count that was not read. */
export function formatCount(count: UnreadCount): string {
  return count.known ? String(count.count) : 'unknown';
}
