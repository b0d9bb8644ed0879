import { FIRST_PAGE, type GetListCursor, getList, SESSION_TYPE_C2C } from '../im/apis/recentcontact-get-list.js';
import type { ImCaller } from '../im/caller.js';
import { type MarkReadRequest, markReadRequest } from './mark-read-request.js';

/** The conversation list could not be read; carries the reason in plain words. */
export class ConversationListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversationListError';
  }
}

/** Pages more than this are taken as a server that never says it is complete. */
const MAX_PAGES = 100_000;

/** One item of a conversation list: a one-to-one conversation (with `peer`) or a group (with `groupId`). */
export type ConversationItem = { type: 'c2c'; peer: string } | { type: 'group'; groupId: string };

/**
 * Yields the peer of each of `user`'s one-to-one conversations (group items are skipped), page by page as
 * they arrive. Throws ConversationListError if a page cannot be read.
 */
export async function* oneToOnePeers(client: ImCaller, user: string, signal?: AbortSignal): AsyncGenerator<string> {
  for await (const item of conversationItems(client, user, signal)) if (item.type === 'c2c') yield item.peer;
}

/**
 * Yields each item of `user`'s conversation list, page by page as they arrive, following CompleteFlag and echoing
 * the four cursors back. Throws ConversationListError if a page cannot be read.
 */
export async function* conversationItems(
  client: ImCaller,
  user: string,
  signal?: AbortSignal,
): AsyncGenerator<ConversationItem> {
  let cursor: GetListCursor = FIRST_PAGE;
  // Only pinned items are remembered (a pinned conversation may also appear in the time-ordered part): the set
  // stays as small as the pinned list, so memory does not grow with tens of thousands of conversations.
  const pinned = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await getList(client, user, cursor, signal);
    if (result.status === 'fail')
      throw new ConversationListError(
        `listing ${user}'s conversations failed: ErrorCode ${result.error.code}, ${result.error.meaning}`,
      );
    if (result.status === 'unreachable')
      throw new ConversationListError(`listing ${user}'s conversations got no answer: ${result.failure.detail}`);
    const r = result.response;
    for (const item of r.SessionItem) {
      const c2c = item.Type === SESSION_TYPE_C2C;
      const id = c2c ? item.To_Account : item.GroupId;
      const key = `${c2c ? 'c2c' : 'group'}:${id}`;
      if (!id || pinned.has(key)) continue;
      if (item.TopFlag === 1) pinned.add(key);
      yield c2c ? { type: 'c2c', peer: id } : { type: 'group', groupId: id };
    }
    if (r.CompleteFlag === 1) return;
    const next = {
      TimeStamp: r.TimeStamp,
      StartIndex: r.StartIndex,
      TopTimeStamp: r.TopTimeStamp,
      TopStartIndex: r.TopStartIndex,
    };
    if (
      next.StartIndex === cursor.StartIndex &&
      next.TopStartIndex === cursor.TopStartIndex &&
      r.SessionItem.length === 0
    ) {
      throw new ConversationListError(
        `listing ${user}'s conversations stalled: the server returned an empty page without CompleteFlag`,
      );
    }
    cursor = next;
  }
  throw new ConversationListError(`listing ${user}'s conversations did not complete after ${MAX_PAGES} pages`);
}

/** Counts `user`'s one-to-one conversations without keeping them. */
export async function countOneToOne(client: ImCaller, user: string, signal?: AbortSignal): Promise<number> {
  let count = 0;
  for await (const _peer of oneToOnePeers(client, user, signal)) count++;
  return count;
}

/** Turns a stream of peers into mark-read requests for `user`. */
export async function* pairsFor(
  user: string,
  peers: AsyncIterable<string>,
  readTime?: number,
): AsyncGenerator<MarkReadRequest> {
  for await (const peer of peers) {
    if (peer !== user) yield markReadRequest(user, peer, readTime);
  }
}
