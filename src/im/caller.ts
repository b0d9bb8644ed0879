import type { CallLimits, CallResult } from './client.js';
import type { ImEndpoint } from './regions.js';
import type { ImApi, ImEnvelope } from './response.js';

/**
 * What the domain needs of an IM client: send one call and get its result. `ImClient` is the real one; the Slack
 * app talks to an ImClient on its network thread through `RemoteImClient`, which has the same shape.
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
  close(): Promise<void>;
}
