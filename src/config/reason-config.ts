import { z } from 'zod';
import { ConfigError, describeEnvIssues, intIn, trueOrFalse, withoutEmpty } from './config-error.js';

/** Whether every change needs a reason, and how long a reason must be. Read by the Slack app and the CLI alike. */
export interface ReasonPolicy {
  /** MARKREAD_REQUIRE_REASON: every change (not a --check) needs a reason. */
  required: boolean;
  /** MARKREAD_REASON_MIN: a reason shorter than this many characters is refused ("." is not a reason). */
  min: number;
}

export const DEFAULT_REASON_POLICY: ReasonPolicy = { required: false, min: 10 };

const schema = z.object({
  MARKREAD_REQUIRE_REASON: trueOrFalse('whether every change needs --reason').default(DEFAULT_REASON_POLICY.required),
  MARKREAD_REASON_MIN: intIn(1, 200, 'characters a reason needs at least').default(DEFAULT_REASON_POLICY.min),
});

/** Reads MARKREAD_REQUIRE_REASON and MARKREAD_REASON_MIN. Throws ConfigError naming the variable. */
export function loadReasonConfig(env: NodeJS.ProcessEnv): ReasonPolicy {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) throw new ConfigError(describeEnvIssues(parsed.error));
  return { required: parsed.data.MARKREAD_REQUIRE_REASON, min: parsed.data.MARKREAD_REASON_MIN };
}
