import { z } from 'zod';
import { looksSecret } from '../log/redactor.js';
import { quote } from '../text/visible.js';

/** Slack member IDs: U…, or W… in an Enterprise Grid. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
export const SLACK_USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;
export const SLACK_USER_ID_HINT = 'a Slack user ID (U… or W…; profile → ⋮ → Copy member ID)';

/**
 * IDs, comma or space separated, each matching `pattern`; the bad ones are quoted (never one that looks like a
 * credential) with `what` they should have been.
 */
export const idList = (pattern: RegExp, what: string) =>
  z
    .string()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .superRefine((ids, ctx) => {
      const bad = ids.filter((id) => !pattern.test(id));
      if (bad.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `${bad.slice(0, 5).map(describeValue).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not ${what}`,
        });
    });

/** Slack member IDs, comma or space separated: an allowlist (the global one, or one IM app's). */
export const userIdList = () => idList(SLACK_USER_ID, SLACK_USER_ID_HINT);

/**
 * A configuration error may quote what was wrong, but never a value that is or looks like a credential: a bot
 * token pasted into the allowlist must not end up in a terminal or a log collector.
 */
export function describeValue(value: string): string {
  return looksSecret(value) ? '(a value that looks like a token or key, not shown)' : quote(value, 24);
}
