import { z } from 'zod';

/** The envelope every Tencent Cloud Chat REST answer has. Unknown fields (RequestId, API-specific ones) are kept. */
export const imEnvelope = z.looseObject({
  ActionStatus: z.enum(['OK', 'FAIL']),
  ErrorCode: z.number().int(),
  ErrorInfo: z.string().default(''),
  RequestId: z.string().optional(),
});
export type ImEnvelope = z.infer<typeof imEnvelope>;

/** One REST API: its path and the shape of a successful answer. Requests are typed by each API's module. */
export interface ImApi<Res extends ImEnvelope> {
  command: string;
  response: z.ZodType<Res>;
  /** The documented per-API call ceiling, calls per second. */
  maxRps: number;
  /**
   * Sending it twice does no more than sending it once. Only such a call is retried after its request may have
   * reached the server without a usable answer (a timeout, a reset, a bad body). Unset means true: every API
   * markread calls is a read or sets a state, and each module says so.
   */
  idempotent?: boolean;
}

/** Refuses a batch the API would refuse (empty, or over its per-call limit) before it is sent. */
export function checkBatchSize(api: string, size: number, max: number, what: string): void {
  if (size === 0 || size > max) throw new RangeError(`${api} takes 1 to ${max} ${what}, got ${size}`);
}
