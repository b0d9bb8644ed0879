import type { Logger } from '../log/logger.js';
import type { ImCaller } from './caller.js';
import type { Region } from './regions.js';

/** The name of the IM app while markread serves one (no TIM_APPS): the TIM_* variables configure it. */
export const DEFAULT_APP = 'default';

/**
 * One Tencent Cloud Chat app, as every flow receives it (Slack, CLI, doctor, and the domain beneath them): which
 * app it is, and the client that calls it. Each app has a client of its own, and so its own UserSig, hosts,
 * breakers and send budget: serving a second app is building a second ImApp from its own configuration.
 */
export interface ImApp {
  /** How people and logs name it. */
  readonly name: string;
  readonly sdkAppId: number;
  /** The App admin account that signs its calls. */
  readonly adminIdentifier: string;
  /** Where the app lives; undefined when TIM_BASE_URL points elsewhere (a proxy, a stand-in). */
  readonly region: Region | undefined;
  /** Its calls per second at most (TIM_MAX_RPS), under each API's own ceiling. */
  readonly maxRps: number;
  readonly client: ImCaller;
  /** Where its audit lines go. */
  readonly logger: Logger;
  /** TIM_<NAME>_PROTECTED: acting on it needs more than the allowlist (approvals come with a later issue). */
  readonly protected?: boolean;
  /** MARKREAD_<NAME>_ALLOWED_USERS: who may act on it; undefined means the global allowlist (enforced later). */
  readonly allowedUsers?: ReadonlySet<string>;
}
