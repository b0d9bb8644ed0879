import { z } from 'zod';
import type { ImCaller } from '../caller.js';
import type { CallResult } from '../client.js';
import { type ImApi, imEnvelope } from '../response.js';

/** Session item types: 1 is a one-to-one (C2C) conversation, 2 a group. */
export const SESSION_TYPE_C2C = 1;

const cursor = {
  TimeStamp: z.number().int(),
  StartIndex: z.number().int(),
  TopTimeStamp: z.number().int(),
  TopStartIndex: z.number().int(),
};

const response = imEnvelope.extend({
  CompleteFlag: z.number().int(),
  ...cursor,
  SessionItem: z
    .array(
      z.looseObject({
        Type: z.number().int(),
        To_Account: z.string().optional(),
        GroupId: z.string().optional(),
        MsgTime: z.number().int().optional(),
        TopFlag: z.number().int().optional(),
      }),
    )
    .default([]),
});
export type GetListResponse = z.infer<typeof response>;

/** `v4/recentcontact/get_list`: one page of an account's conversation list, pinned ones on their own cursor. */
export const RECENTCONTACT_GET_LIST = {
  command: 'v4/recentcontact/get_list',
  response,
  maxRps: 200,
  idempotent: true,
} satisfies ImApi<GetListResponse>;

export interface GetListCursor {
  TimeStamp: number;
  StartIndex: number;
  TopTimeStamp: number;
  TopStartIndex: number;
}

export const FIRST_PAGE: GetListCursor = { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 };

export function getList(
  client: ImCaller,
  fromAccount: string,
  cursor: GetListCursor,
  signal?: AbortSignal,
): Promise<CallResult<GetListResponse>> {
  // AssistFlags: the docs disagree (7, 15 or 63, unconfirmed which the server prefers). 7 is the common subset and
  // asks for pinned items on their own cursor; markread reads only Type and To_Account, present under each.
  return client.call(RECENTCONTACT_GET_LIST, { From_Account: fromAccount, ...cursor, AssistFlags: 7 }, signal);
}
