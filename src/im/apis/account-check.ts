import { z } from 'zod';
import type { ImCaller } from '../caller.js';
import type { CallResult } from '../client.js';
import { checkBatchSize, type ImApi, imEnvelope } from '../response.js';

/** The API checks at most this many accounts per call. */
export const ACCOUNTS_PER_CHECK = 100;

const response = imEnvelope.extend({
  ResultItem: z
    .array(
      z.looseObject({
        UserID: z.string(),
        ResultCode: z.number().int().default(0),
        ResultInfo: z.string().default(''),
        AccountStatus: z.string().optional(),
      }),
    )
    .default([]),
});
export type AccountCheckResponse = z.infer<typeof response>;

/** `v4/im_open_login_svc/account_check`: whether accounts exist (are "Imported"). Read-only; 100 calls/s. */
export const ACCOUNT_CHECK = {
  command: 'v4/im_open_login_svc/account_check',
  response,
  maxRps: 100,
  idempotent: true,
} satisfies ImApi<AccountCheckResponse>;

export function accountCheck(
  client: ImCaller,
  userIds: string[],
  signal?: AbortSignal,
): Promise<CallResult<AccountCheckResponse>> {
  checkBatchSize('account_check', userIds.length, ACCOUNTS_PER_CHECK, 'accounts');
  return client.call(ACCOUNT_CHECK, { CheckItem: userIds.map((UserID) => ({ UserID })) }, signal);
}
