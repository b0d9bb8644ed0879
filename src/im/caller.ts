import type { CallLimits, CallResult } from './call.js';
import type { ImEndpoint } from './regions.js';
import type { ImApi, ImEnvelope } from './response.js';

/** A request as it would be sent, with the UserSig left out: what a dry run shows. */
export interface RequestDescription {
  method: 'POST';
  origin: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * What the flows need of an IM client: send one call and get its result. `ImClient` is the real one; a test can
 * hand a flow a fake of this shape.
 */
export interface ImCaller {
  call<Res extends ImEnvelope>(
    api: ImApi<Res>,
    body: object,
    signal?: AbortSignal,
    limits?: CallLimits,
  ): Promise<CallResult<Res>>;
  /** TIM_DEADLINE_MS: what a person waits for one operation at most. */
  readonly deadlineMs: number;
  readonly endpoint: ImEndpoint;
  /** A request as it would be sent, with the UserSig left out: for dry runs. */
  describeRequest(command: string, body: unknown): RequestDescription;
  close(): Promise<void>;
}
