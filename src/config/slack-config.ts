import { z } from 'zod';
import { type ApprovalConfig, loadApprovalConfig } from './approval-config.js';
import { ConfigError, describeEnvIssues, intIn, trueOrFalse, withoutEmpty } from './config-error.js';
import { isLoopbackHost } from './loopback.js';
import { loadReasonConfig, type ReasonPolicy } from './reason-config.js';
import { Secret } from './secret.js';
import { idList, SLACK_USER_GROUP_ID, userIdList } from './slack-ids.js';

export interface SlackConfig {
  botToken: Secret;
  /** HTTP mode only. */
  signingSecret: Secret | undefined;
  /** Set: Socket Mode. */
  appToken: Secret | undefined;
  /** Web API base URL, ending in `/` (Bolt's slackApiUrl). */
  apiUrl: string | undefined;
  port: number;
  allowedUsers: Set<string>;
  allowedUserGroups: Set<string>;
  mode: 'http' | 'socket';
  /** HTTP mode: request bodies above this are refused with 413 before they are read. */
  maxBodyBytes: number;
  /** SIGTERM: how long work in flight may finish before its requesters are told it was interrupted. */
  drainMs: number;
  /** The channel (ID) that gets one short message per headline audit event; unset: the log line only. */
  auditChannel: string | undefined;
  /** MARKREAD_REQUIRE_REASON and MARKREAD_REASON_MIN. */
  reason: ReasonPolicy;
  /** Four eyes on large runs (MARKREAD_APPROVAL_OVER …); `over` undefined: no run waits for approval. */
  approval: ApprovalConfig;
  /** MARKREAD_METRICS: GET /metrics on PORT, in the Prometheus text format (on by default). */
  metrics: boolean;
}

/** What the CLI needs to post to the audit channel: no signing secret, app token or allowlist. */
export interface AuditChannelConfig {
  channel: string;
  botToken: Secret;
  apiUrl: string | undefined;
}

const botToken = z
  .string({ error: 'is required: the bot token (xoxb-…) from your Slack app’s OAuth & Permissions page' })
  .regex(/^xoxb-/, {
    error: 'expected a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)',
  });

const apiUrl = z
  .string()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return ctx.addIssue({ code: 'custom', message: 'expected a URL such as https://slack.com/api/' });
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
    ctx.addIssue({ code: 'custom', message: 'expected an https:// URL (http:// only to a loopback address)' });
  })
  .transform((value) => (value.endsWith('/') ? value : `${value}/`))
  .optional();

/** A channel's ID, not its name: names change, and a message to `#name` would follow a renamed channel's old name. */
const auditChannel = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, {
    error: 'expected a channel ID such as C0123ABCDEF (channel name → About → Channel ID), not its #name',
  })
  .optional();
const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: botToken,
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,}$/, { error: 'expected the signing secret from Basic Information → App Credentials' })
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, {
      error:
        'expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)',
    })
    .optional(),
  SLACK_API_URL: apiUrl,
  PORT: z
    .string()
    .regex(/^\d+$/, { error: 'expected a TCP port number from 1 to 65535 (0 picks a free one)' })
    .transform(Number)
    .pipe(z.number().int().max(65535, { error: 'expected a TCP port number from 1 to 65535 (0 picks a free one)' }))
    .default(3000),
  MARKREAD_ALLOWED_USERS: userIdList().default([]),
  MARKREAD_ALLOWED_USERGROUPS: idList(SLACK_USER_GROUP_ID, 'a Slack user group ID (S…)').default([]),
  MARKREAD_MAX_BODY_BYTES: intIn(4096, 1_048_576, 'bytes; Slack payloads are a few KiB').default(65_536),
  MARKREAD_DRAIN_MS: intIn(0, 600_000, 'milliseconds work in flight may finish on SIGTERM').default(20_000),
  MARKREAD_AUDIT_CHANNEL: auditChannel,
  MARKREAD_METRICS: trueOrFalse('whether GET /metrics answers').default(true),
});

const auditChannelEnvSchema = z.object({
  MARKREAD_AUDIT_CHANNEL: auditChannel,
  SLACK_BOT_TOKEN: botToken.optional(),
  SLACK_API_URL: apiUrl,
});

/** Reads the Slack settings. Throws ConfigError listing every problem, each naming its variable. */
export function loadSlackConfig(env: NodeJS.ProcessEnv = process.env): SlackConfig {
  const raw = withoutEmpty(env);
  const parsed = slackEnvSchema.safeParse(raw);
  const problems = parsed.success ? [] : describeEnvIssues(parsed.error);
  if (raw.SLACK_APP_TOKEN === undefined && raw.SLACK_SIGNING_SECRET === undefined) {
    problems.push(
      'SLACK_SIGNING_SECRET: is required in HTTP mode (Basic Information → App Credentials); or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  const noIds =
    parsed.success &&
    parsed.data.MARKREAD_ALLOWED_USERS.length === 0 &&
    parsed.data.MARKREAD_ALLOWED_USERGROUPS.length === 0;
  if ((raw.MARKREAD_ALLOWED_USERS === undefined && raw.MARKREAD_ALLOWED_USERGROUPS === undefined) || noIds) {
    problems.push(
      'MARKREAD_ALLOWED_USERS: the allowlist is empty, so nobody could use /markread; list the Slack user IDs allowed (e.g. U012ABCDEF,U034GHIJKL), or set MARKREAD_ALLOWED_USERGROUPS',
    );
  }
  const reason = orProblems(() => loadReasonConfig(env), problems);
  const approval = orProblems(() => loadApprovalConfig(env), problems);
  if (!parsed.success || !reason || !approval || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    botToken: new Secret(e.SLACK_BOT_TOKEN),
    signingSecret: e.SLACK_SIGNING_SECRET === undefined ? undefined : new Secret(e.SLACK_SIGNING_SECRET),
    appToken: e.SLACK_APP_TOKEN === undefined ? undefined : new Secret(e.SLACK_APP_TOKEN),
    apiUrl: e.SLACK_API_URL,
    port: e.PORT,
    allowedUsers: new Set(e.MARKREAD_ALLOWED_USERS),
    allowedUserGroups: new Set(e.MARKREAD_ALLOWED_USERGROUPS),
    mode: e.SLACK_APP_TOKEN === undefined ? 'http' : 'socket',
    maxBodyBytes: e.MARKREAD_MAX_BODY_BYTES,
    drainMs: e.MARKREAD_DRAIN_MS,
    auditChannel: e.MARKREAD_AUDIT_CHANNEL,
    reason,
    approval,
    metrics: e.MARKREAD_METRICS,
  };
}

/**
 * The CLI's audit channel: set when MARKREAD_AUDIT_CHANNEL and SLACK_BOT_TOKEN both are (the CLI needs no other
 * Slack variable). With the channel set, throws ConfigError naming the variable that is malformed.
 */
export function loadAuditChannelConfig(env: NodeJS.ProcessEnv = process.env): AuditChannelConfig | undefined {
  const raw = withoutEmpty(env);
  // Without the channel the CLI reads no Slack variable at all, as before.
  if (raw.MARKREAD_AUDIT_CHANNEL === undefined) return undefined;
  const parsed = auditChannelEnvSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeEnvIssues(parsed.error));
  const { MARKREAD_AUDIT_CHANNEL: channel, SLACK_BOT_TOKEN: token, SLACK_API_URL: url } = parsed.data;
  if (channel === undefined || token === undefined) return undefined;
  return { channel, botToken: new Secret(token), apiUrl: url };
}

/** A part of the configuration, or undefined with its problems added to `problems`, so start-up lists them all. */
function orProblems<T>(load: () => T, problems: string[]): T | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}
