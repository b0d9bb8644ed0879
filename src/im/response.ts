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
}

/** Refuses a batch the API would refuse (empty, or over its per-call limit) before it is sent. */
export function checkBatchSize(api: string, size: number, max: number, what: string): void {
  if (size === 0 || size > max) throw new RangeError(`${api} takes 1 to ${max} ${what}, got ${size}`);
}
