import type { Logger } from '../log/logger.js';
import type { Allowlist } from './allowlist.js';
import type { InFlight } from './in-flight.js';
import type { SlackFlowDeps } from './mark-read-in-slack.js';
import type { RunRegistry } from './runs.js';

/** What every listener needs, handed in by the app so listeners stay free of wiring. */
export interface ListenerDeps {
  allowlist: Allowlist;
  inFlight: InFlight;
  logger: Logger;
  flow: Omit<SlackFlowDeps, 'web'>;
  runs: RunRegistry;
}
