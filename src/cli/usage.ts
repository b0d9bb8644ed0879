import { cliUsage } from '../domain/usage.js';
import { REGIONS } from '../im/regions.js';

/** What only the CLI has: its output on a terminal, its exit codes, its configuration. */
const CLI_SECTIONS = [
  `With several pairs: one line per pair, then a summary; a progress bar on stderr when it is a terminal;
Ctrl-C stops cleanly and the summary says what was not done (marking read is safe to run again).`,
  `Exit codes:
  0    every pair OK (or nothing to do, or the prompt answered no); a check that could look; doctor all ✓
  1    the API answered FAIL for at least one pair, a mark --clear-marks could not clear, the user of a
       check does not exist, or a doctor check failed
  2    usage or configuration error: nothing was called
  3    no usable answer from the API (after retries, or the host unreachable)
  70   an unexpected error (a bug; the message says so)
  130  stopped by Ctrl-C, at the prompt too: calls already sent finished, the rest were not made
  141  stdout was closed (e.g. | head -1): the run stopped quietly`,
  `Configuration (environment variables, or a .env file in the working directory):
  TIM_SDKAPPID             required: the IM app's SDKAppID
  TIM_SECRET_KEY           required: the app's secret key (never printed)
  TIM_ADMIN_IDENTIFIER     App admin account that signs calls (default: administrator)
  TIM_REGION               required unless TIM_BASE_URL is set: ${REGIONS.join(', ')}
  TIM_BASE_URL             override the host (https://, or http:// to a loopback address)
  TIM_MAX_RPS              calls per second at most, 1-200 (default: 190)
  TIM_TIMEOUT_MS           per-attempt timeout in ms (default: 5000)
  TIM_DEADLINE_MS          whole-call time limit in ms, retries included (default: 20000)
  TIM_USERSIG_TTL_SECONDS  admin UserSig lifetime (default: 86400)
  LOG_LEVEL                log level on stderr (default for the CLI: warn; info adds the audit line)
  REDIS_URL                the app's Redis: share its IM send budget, so CLI and app together stay under it
  MARKREAD_REQUIRE_REASON  true: every change needs --reason (a --check does not; default: false)
  MARKREAD_REASON_MIN      characters a reason needs at least, 1-200 (default: 10)`,
];

/** `markread --help`: the usage every surface shares (domain/usage.ts), with the CLI's own sections. */
export const USAGE = `${cliUsage(CLI_SECTIONS)}\n`;
