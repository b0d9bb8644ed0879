import { z } from 'zod';
import type { ImCaller } from '../caller.js';
import type { CallResult } from '../client.js';
import { checkBatchSize, type ImApi, imEnvelope } from '../response.js';

/** search_contact_group takes at most this many conversations per call; mark_contact at most this many items. */
export const CONTACTS_PER_SEARCH = 300;
export const MARKS_PER_CALL = 100;

/** A one-to-one conversation as the conversation-mark APIs name it. */
const contactItem = z.looseObject({
  Type: z.number().int(),
  To_Account: z.string().optional(),
  ToGroupId: z.string().optional(),
  /** A bit string such as "000000100"; see domain/standard-mark.ts for how markread reads it. */
  StandardMark: z.string().optional(),
  CustomMark: z.string().optional(),
});

const searchResponse = imEnvelope.extend({ ContactItem: z.array(contactItem).default([]) });
export type SearchContactGroupResponse = z.infer<typeof searchResponse>;

/** `v4/recentcontact/search_contact_group`: the marks and groups of the conversations asked about. */
export const SEARCH_CONTACT_GROUP = {
  command: 'v4/recentcontact/search_contact_group',
  response: searchResponse,
  maxRps: 200,
  idempotent: true,
} satisfies ImApi<SearchContactGroupResponse>;

export function searchContactGroup(
  client: ImCaller,
  user: string,
  peers: string[],
  signal?: AbortSignal,
): Promise<CallResult<SearchContactGroupResponse>> {
  checkBatchSize('search_contact_group', peers.length, CONTACTS_PER_SEARCH, 'conversations');
  return client.call(
    SEARCH_CONTACT_GROUP,
    { From_Account: user, ContactItem: peers.map((To_Account) => ({ Type: 1, To_Account })) },
    signal,
  );
}

const markResponse = imEnvelope.extend({
  ResultItem: z
    .array(
      z.looseObject({
        ContactItem: contactItem.optional(),
        ResultCode: z.number().int(),
        ResultInfo: z.string().default(''),
      }),
    )
    .default([]),
});
export type MarkContactResponse = z.infer<typeof markResponse>;

/** `v4/recentcontact/mark_contact`: sets or clears conversation marks; one result per item. 200 calls/s. */
export const MARK_CONTACT = {
  command: 'v4/recentcontact/mark_contact',
  response: markResponse,
  maxRps: 200,
  // It sets or clears named marks: doing so twice ends in the same marks.
  idempotent: true,
} satisfies ImApi<MarkContactResponse>;

/** OptType 1: the standard marks (starred, marked unread, folded, hidden). */
const STANDARD_MARKS = 1;

/** Clears standard mark `position` on each of `user`'s one-to-one conversations with `peers`. */
export function clearStandardMark(
  client: ImCaller,
  user: string,
  peers: string[],
  position: number,
  signal?: AbortSignal,
): Promise<CallResult<MarkContactResponse>> {
  checkBatchSize('mark_contact', peers.length, MARKS_PER_CALL, 'items');
  return client.call(
    MARK_CONTACT,
    {
      From_Account: user,
      MarkItem: peers.map((To_Account) => ({
        OptType: STANDARD_MARKS,
        ContactItem: { Type: 1, To_Account },
        ClearMark: [position],
      })),
    },
    signal,
  );
}
