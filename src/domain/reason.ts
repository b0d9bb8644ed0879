import type { ReasonPolicy } from '../config/reason-config.js';
import { quote, visible, visibleLength } from '../text/visible.js';

/** A reason longer than this is refused: it is a ticket and a few words, not a report. */
export const REASON_MAX = 1000;
/** What a surface shows of a reason; the audit trail keeps it whole. */
export const REASON_SHOWN = 300;
/** The example every "add a reason" message gives, in the shared grammar. */
export const REASON_EXAMPLE = '--reason "ticket 123: badge stuck"';

/** The clean reason (undefined: none given, and none needed); or the problem, in full and as a form field says it. */
export type ReasonCheck = { ok: true; reason: string | undefined } | { ok: false; problem: string; inline: string };

/**
 * Checks the reason a person gave (--reason, or the form's field) against the policy, and cleans it: runs of
 * whitespace (newlines, tabs, odd spaces) become one space, and characters that are invisible or reorder the
 * display (bidi overrides, zero-width spaces, controls) are kept only as `\uXXXX` text (text/visible.ts), so
 * every surface and the audit trail carry what a reader sees. `change` is false for a --check, which needs none.
 */
export function checkReason(raw: string | undefined, policy: ReasonPolicy, change = true): ReasonCheck {
  if (raw === undefined) {
    if (!policy.required || !change) return { ok: true, reason: undefined };
    return {
      ok: false,
      problem: `a reason is required for every change here (MARKREAD_REQUIRE_REASON): add --reason with at least ${policy.min} characters, e.g. ${REASON_EXAMPLE}`,
      inline: `A reason is required here: at least ${policy.min} characters, e.g. ticket 123: badge stuck.`,
    };
  }
  const clean = raw.replace(/\s+/g, ' ').trim();
  const length = visibleLength(clean);
  if (length < policy.min)
    return {
      ok: false,
      problem: `the reason ${quote(clean, 32)} is too short: say why in at least ${policy.min} characters, e.g. ${REASON_EXAMPLE}`,
      inline: `Too short: say why in at least ${policy.min} characters, e.g. ticket 123: badge stuck.`,
    };
  if (clean.length > REASON_MAX)
    return {
      ok: false,
      problem: `the reason is ${clean.length.toLocaleString('en-US')} characters; keep it to ${REASON_MAX.toLocaleString('en-US')} (a ticket and a few words)`,
      inline: `Too long: keep it to ${REASON_MAX.toLocaleString('en-US')} characters.`,
    };
  return { ok: true, reason: visible(clean) };
}
