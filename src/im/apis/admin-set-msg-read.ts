import type { z } from 'zod';
import type { ImCaller } from '../caller.js';
import type { CallLimits, CallResult } from '../client.js';
import { type ImApi, imEnvelope } from '../response.js';

/** `v4/openim/admin_set_msg_read`: marks every message of one one-to-one conversation read for one account. */
export const ADMIN_SET_MSG_READ = {
  command: 'v4/openim/admin_set_msg_read',
  response: imEnvelope,
  maxRps: 200,
  // Marking read up to a time twice leaves the conversation as marking it once does.
  idempotent: true,
} satisfies ImApi<z.infer<typeof imEnvelope>>;

export interface AdminSetMsgReadRequest {
  /** The account whose conversation becomes read. */
  reportAccount: string;
  /** The other side of the conversation. */
  peerAccount: string;
  /** Messages sent before this Unix time (seconds) become read; the server's now when absent. */
  msgReadTime?: number;
}

export function adminSetMsgReadBody(request: AdminSetMsgReadRequest): Record<string, string | number> {
  const body: Record<string, string | number> = {
    Report_Account: request.reportAccount,
    Peer_Account: request.peerAccount,
  };
  // The English docs type MsgReadTime as String and the 2025 Chinese docs as Integer; we send the integer the
  // newer docs describe.
  if (request.msgReadTime !== undefined) body.MsgReadTime = request.msgReadTime;
  return body;
}

export function adminSetMsgRead(
  client: ImCaller,
  request: AdminSetMsgReadRequest,
  signal?: AbortSignal,
  limits?: CallLimits,
): Promise<CallResult<z.infer<typeof imEnvelope>>> {
  return client.call(ADMIN_SET_MSG_READ, adminSetMsgReadBody(request), signal, limits);
}
