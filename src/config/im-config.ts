import { z } from 'zod';
import { type ImEndpoint, REGIONS, type Region, regionEndpoint } from '../im/regions.js';
import { ConfigError, describeEnvIssues, intIn, withoutEmpty } from './config-error.js';
import { isLoopbackHost } from './loopback.js';
import { Secret } from './secret.js';

/** The documented ceiling of admin_set_msg_read (and of the other APIs markread calls). */
export const API_MAX_RPS = 200;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ImConfig {
  sdkAppId: number;
  secretKey: Secret;
  adminIdentifier: string;
  region: Region | undefined;
  endpoint: ImEndpoint;
  maxRps: number;
  timeoutMs: number;
  deadlineMs: number;
  userSigTtlSeconds: number;
  logLevel: LogLevel;
}

const baseUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a URL such as https://im-proxy.example.com/' });
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  ctx.addIssue({
    code: 'custom',
    message:
      url.protocol === 'http:'
        ? `plain http:// is only allowed to a loopback address (127.0.0.0/8, localhost, [::1]), not ${url.hostname}: use https://`
        : `expected an https:// URL, got ${url.protocol}//`,
  });
});

const imEnvSchema = z.object({
  TIM_SDKAPPID: z
    .string({
      error: 'is required: the SDKAppID of your IM app, shown in the Tencent Cloud Chat console (e.g. 1400000000)',
    })
    .regex(/^[1-9]\d{0,11}$/, {
      error: 'expected a positive whole number, the SDKAppID shown in the IM console (e.g. 1400000000)',
    })
    .transform(Number),
  TIM_SECRET_KEY: z.string({
    error: 'is required: the app secret key from the IM console (Basic Configuration → Basic Information)',
  }),
  TIM_ADMIN_IDENTIFIER: z
    .string()
    .max(32, { error: 'must be at most 32 bytes: the UserID of an App admin account' })
    .regex(/^[\x21-\x7e]+$/, { error: 'expected the UserID of an App admin account (printable ASCII, no spaces)' })
    .default('administrator'),
  TIM_REGION: z
    .string()
    // Case does not matter: Singapore, SINGAPORE and singapore are the same region.
    .transform((v) => v.toLowerCase())
    .pipe(
      z.enum(REGIONS as [Region, ...Region[]], {
        error: `expected one of ${REGIONS.join(', ')} (where the SDKAppID was created)`,
      }),
    )
    .optional(),
  TIM_BASE_URL: baseUrl.optional(),
  TIM_MAX_RPS: intIn(1, API_MAX_RPS, `calls per second; the API allows ${API_MAX_RPS}`).default(190),
  TIM_TIMEOUT_MS: intIn(100, 120_000, 'milliseconds per attempt; Tencent recommends more than 3000').default(5_000),
  TIM_DEADLINE_MS: intIn(100, 600_000, 'milliseconds for a whole call, retries included').default(20_000),
  TIM_USERSIG_TTL_SECONDS: intIn(300, 15_552_000, 'seconds, from 5 minutes to 180 days').default(86_400),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export interface LoadedImConfig {
  config: ImConfig;
  /** Things that work but are probably not what was meant; log them at start-up. */
  warnings: string[];
}

/** Reads the IM settings from an environment. Throws ConfigError listing every problem at once. */
export function loadImConfig(env: NodeJS.ProcessEnv = process.env): LoadedImConfig {
  const raw = withoutEmpty(env);
  const parsed = imEnvSchema.safeParse(raw);
  const problems = parsed.success ? [] : describeEnvIssues(parsed.error);
  // Checked by hand rather than in a zod refinement so it is reported together with every other problem.
  if (raw.TIM_REGION === undefined && raw.TIM_BASE_URL === undefined) {
    problems.push(
      `TIM_REGION: is required unless TIM_BASE_URL is set: one of ${REGIONS.join(', ')} (where the SDKAppID was created)`,
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const warnings: string[] = [];
  if (e.TIM_TIMEOUT_MS <= 3_000) {
    warnings.push(
      `TIM_TIMEOUT_MS=${e.TIM_TIMEOUT_MS} is not above Tencent's 3000 ms server timeout: calls the server would still complete may be reported as timeouts`,
    );
  }
  if (e.TIM_DEADLINE_MS < e.TIM_TIMEOUT_MS) {
    warnings.push(
      `TIM_DEADLINE_MS=${e.TIM_DEADLINE_MS} is shorter than TIM_TIMEOUT_MS=${e.TIM_TIMEOUT_MS}: attempts are cut at the deadline`,
    );
  }
  const endpoint: ImEndpoint =
    e.TIM_BASE_URL !== undefined ? { primary: asBaseUrl(e.TIM_BASE_URL) } : regionEndpoint(e.TIM_REGION as Region);
  if (e.TIM_BASE_URL !== undefined && e.TIM_REGION !== undefined) {
    warnings.push(`TIM_BASE_URL is set, so TIM_REGION=${e.TIM_REGION} is not used to pick a host`);
  }
  return {
    config: {
      sdkAppId: e.TIM_SDKAPPID,
      secretKey: new Secret(e.TIM_SECRET_KEY),
      adminIdentifier: e.TIM_ADMIN_IDENTIFIER,
      region: e.TIM_REGION,
      endpoint,
      maxRps: e.TIM_MAX_RPS,
      timeoutMs: e.TIM_TIMEOUT_MS,
      deadlineMs: e.TIM_DEADLINE_MS,
      userSigTtlSeconds: e.TIM_USERSIG_TTL_SECONDS,
      logLevel: e.LOG_LEVEL,
    },
    warnings,
  };
}

/** A base URL whose path ends in `/`, so API paths resolve under a proxy's prefix instead of replacing it. */
function asBaseUrl(value: string): URL {
  const url = new URL(value);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
