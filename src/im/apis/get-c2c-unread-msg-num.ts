import { z } from 'zod';
import type { ImCaller } from '../caller.js';
import type { CallLimits, CallResult } from '../client.js';
import { checkBatchSize, type ImApi, imEnvelope } from '../response.js';

/** The API answers for at most this many peers per call. */
export const UNREAD_PEERS_PER_CALL = 10;

const response = imEnvelope.extend({
  AllC2CUnreadMsgNum: z.number().int().optional(),
  C2CUnreadMsgNumList: z.array(z.object({ Peer_Account: z.string(), C2CUnreadMsgNum: z.number().int() })).default([]),
  ErrorList: z.array(z.object({ Peer_Account: z.string(), ErrorCode: z.number().int() })).default([]),
});
export type GetC2cUnreadMsgNumResponse = z.infer<typeof response>;

/** `v4/openim/get_c2c_unread_msg_num`: one account's unread one-to-one message counts, per peer. */
export const GET_C2C_UNREAD_MSG_NUM = {
  command: 'v4/openim/get_c2c_unread_msg_num',
  response,
  maxRps: 200,
  idempotent: true,
} satisfies ImApi<GetC2cUnreadMsgNumResponse>;

export function getC2cUnreadMsgNum(
  client: ImCaller,
  request: { toAccount: string; peerAccounts: string[] },
  signal?: AbortSignal,
  limits?: CallLimits,
): Promise<CallResult<GetC2cUnreadMsgNumResponse>> {
  checkBatchSize('get_c2c_unread_msg_num', request.peerAccounts.length, UNREAD_PEERS_PER_CALL, 'peers');
  return client.call(
    GET_C2C_UNREAD_MSG_NUM,
    { To_Account: request.toAccount, Peer_Account: request.peerAccounts },
    signal,
    limits,
  );
}

/** The same API without peers: the account's total over all one-to-one conversations (AllC2CUnreadMsgNum). */
export function getC2cUnreadTotal(
  client: ImCaller,
  toAccount: string,
  signal?: AbortSignal,
): Promise<CallResult<GetC2cUnreadMsgNumResponse>> {
  return client.call(GET_C2C_UNREAD_MSG_NUM, { To_Account: toAccount }, signal);
}
