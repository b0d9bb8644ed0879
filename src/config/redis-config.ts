import { z } from 'zod';
import { ConfigError, describeEnvIssues, intIn, withoutEmpty } from './config-error.js';
import { Secret } from './secret.js';

/** Where replicas share their state. Absent: markread keeps it in this process, as one replica. */
export interface RedisConfig {
  /** The whole URL, password included: a secret. */
  url: Secret;
  /**
   * Every key of this deployment starts with `<prefix>:<SDKAppID>:` (its default app's SDKAppID, so a deployment
   * that adds apps keeps its keys), so one Redis can serve several deployments and apps.
   */
  prefix: string;
  /** MARKREAD_REDIS_PREFIX alone: an IM app's shared keys (its send budget) are `<namespace>:<its SDKAppID>:`. */
  namespace: string;
  /** The host and port, for logs and /healthz (never the password). */
  where: string;
  /** Work whose replica has not renewed it for this long is taken over by another. */
  takeoverMs: number;
  /**
   * What this process does: 'all' (receive commands and run the work), 'web' (receive and ack; the work is run by
   * other replicas) or 'worker' (run the work; receive nothing). Only with Redis, which carries the work between them.
   */
  role: Role;
  /** The shared history (App Home) keeps events this many days (MARKREAD_HISTORY_DAYS). */
  historyDays: number;
}

export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const redisUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never quote the value: a Redis URL usually carries a password.
    ctx.addIssue({
      code: 'custom',
      message: 'expected a URL such as redis://localhost:6379 or rediss://:password@host:6380',
    });
    return;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    ctx.addIssue({ code: 'custom', message: `expected redis:// or rediss://, got ${url.protocol}//` });
});

const schema = z.object({
  REDIS_URL: redisUrl.optional(),
  MARKREAD_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, { error: 'expected 1 to 40 letters, digits, _ . or - (e.g. markread)' })
    .default('markread'),
  MARKREAD_ROLE: z
    .enum(ROLES, { error: `expected one of ${ROLES.join(', ')} (what this process does; default all)` })
    .optional(),
  MARKREAD_TAKEOVER_MS: intIn(1_000, 300_000, 'milliseconds before a silent replica’s work is taken over').default(
    10_000,
  ),
  MARKREAD_HISTORY_DAYS: intIn(1, 3650, 'days the shared history in App Home keeps an action').default(30),
});

/** Reads REDIS_URL and MARKREAD_REDIS_PREFIX; undefined when REDIS_URL is unset. Throws ConfigError. */
export function loadRedisConfig(env: NodeJS.ProcessEnv, sdkAppId: number): RedisConfig | undefined {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) throw new ConfigError(describeEnvIssues(parsed.error));
  const { REDIS_URL, MARKREAD_REDIS_PREFIX, MARKREAD_TAKEOVER_MS, MARKREAD_ROLE, MARKREAD_HISTORY_DAYS } = parsed.data;
  if (REDIS_URL === undefined) {
    if (MARKREAD_ROLE !== undefined && MARKREAD_ROLE !== 'all')
      throw new ConfigError([
        `MARKREAD_ROLE: ${MARKREAD_ROLE} needs REDIS_URL: without Redis no other process can ${MARKREAD_ROLE === 'web' ? 'run the work this one acks' : 'hand this one work'}`,
      ]);
    return undefined;
  }
  const url = new URL(REDIS_URL);
  return {
    url: new Secret(REDIS_URL),
    prefix: `${MARKREAD_REDIS_PREFIX}:${sdkAppId}:`,
    namespace: MARKREAD_REDIS_PREFIX,
    where: `${url.protocol}//${url.hostname}:${url.port || 6379}`,
    takeoverMs: MARKREAD_TAKEOVER_MS,
    role: MARKREAD_ROLE ?? 'all',
    historyDays: MARKREAD_HISTORY_DAYS,
  };
}

/** The secret parts of a Redis URL (the password, raw and decoded), for the redactor. */
export function redisUrlSecrets(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const url = new URL(value.trim());
    const secrets = [value.trim()];
    if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
    return secrets.filter((s) => s.length >= 4);
  } catch {
    return [value.trim()];
  }
}
