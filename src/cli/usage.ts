import { REGIONS } from '../im/regions.js';

export const USAGE = `markread: mark a Tencent Cloud Chat one-to-one conversation read, as the app admin.

Usage:
  markread <user> [<peer> …] --check [--json]
  markread <user> <peer> [--read-time <unix seconds>] [--clear-marks] [--json] [--dry-run]
  markread <user> <peer> <peer> … [--read-time <unix seconds>] [--clear-marks] [--json] [--dry-run]
  markread <user> --all [--yes] [--read-time <unix seconds>] [--clear-marks] [--json] [--dry-run]
  markread --from-file <pairs.csv | -> [--clear-marks] [--json] [--dry-run]
  markread doctor [--json]
  markread --help | --version

Marks every message of <user>'s one-to-one conversation with <peer> read (v4/openim/admin_set_msg_read), and
shows the unread count before and after (v4/openim/get_c2c_unread_msg_num).

Options:
  --check             read-only: whether the accounts exist, the unread total, each conversation's unread
                      count (the peers named, or every conversation: the top 20), conversations the user
                      marked unread by hand, group conversations, and what markread would do
  --clear-marks       after marking read, clear the "marked unread" mark (mark_contact) where it is set, and
                      read the marks again as proof: "unread mark: set → cleared", or "could not clear"
  --read-time <s>     only messages sent before this Unix time (seconds) become read; default: now
  --all               every one-to-one conversation of <user> (v4/recentcontact/get_list); asks first
  -y, --yes           with --all: do not ask (needed when stdin is not a terminal)
  --from-file <f>     CSV of user,peer[,read_time] (quotes allowed); - reads stdin; # comments and blank lines
                      are skipped; a header row (user,peer,read_time or Report_Account,Peer_Account,MsgReadTime,
                      any case, any order) names the columns
  --json              one JSON object per pair on stdout (and a final {"summary":…} line for several pairs)
  --dry-run           call nothing: check every pair and print the plan and the first request (UserSig
                      [not minted]); needs no TIM_SECRET_KEY. With --all it pages the list read-only and
                      prints the count and the first peers (that needs the key)
  doctor              check markread's own setup: configuration, the IM host and region, the admin UserSig
                      (one account_check), and with SLACK_BOT_TOKEN the bot token, its scopes and the
                      Socket Mode token; exit 0 only when every check passes
  -v, --version       the version
  -h, --help          this text

With several pairs: one line per pair, then a summary; a progress bar on stderr when it is a terminal;
Ctrl-C stops cleanly and the summary says what was not done (marking read is safe to run again).

Exit codes:
  0    every pair OK (or nothing to do, or the prompt answered no); a check that could look; doctor all ✓
  1    the API answered FAIL for at least one pair, a mark --clear-marks could not clear, the user of a
       check does not exist, or a doctor check failed
  2    usage or configuration error: nothing was called
  3    no usable answer from the API (after retries, or the host unreachable)
  70   an unexpected error (a bug; the message says so)
  130  stopped by Ctrl-C, at the prompt too: calls already sent finished, the rest were not made
  141  stdout was closed (e.g. | head -1): the run stopped quietly

Configuration (environment variables, or a .env file in the working directory):
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

Examples:
  markread alice --check
  markread alice bob --clear-marks
  markread doctor
  markread alice bob
  markread alice bob --read-time 1767225600 --json
  markread alice bob carol dave
  markread alice --all --yes
  markread --from-file stuck-badges.csv
  TIM_REGION=singapore markread alice bob --dry-run
`;
