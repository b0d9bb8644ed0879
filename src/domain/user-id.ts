import { z } from 'zod';
import { quote } from '../text/visible.js';

/** Tencent allows UserIDs of at most 32 bytes. */
export const USER_ID_MAX_BYTES = 32;

/**
 * A Tencent Cloud Chat UserID as markread accepts it, whichever entry point it came through: 1–32 bytes of
 * printable ASCII, no whitespace, and none of `<`, `>`, `&` or a backtick, which would break Slack formatting
 * when the ID is echoed back. Each failure names the rule it broke.
 */
export const userIdSchema = z.string().superRefine((value, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (value.length === 0) return fail('is empty; a UserID has 1 to 32 characters');
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i] as string;
    if (c > 0x7e)
      return fail(
        `contains ${quote(String.fromCodePoint(value.codePointAt(i) as number))} at position ${i + 1}; UserIDs are printable ASCII only`,
      );
    if (c <= 0x20)
      return fail(`contains whitespace or a control character at position ${i + 1}; UserIDs have no spaces`);
    if ('<>&`'.includes(ch)) return fail(`contains ${quote(ch)} at position ${i + 1}; <, >, & and \` are not allowed`);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > USER_ID_MAX_BYTES) fail(`is ${bytes} bytes long; UserIDs are at most ${USER_ID_MAX_BYTES} bytes`);
});

export type UserIdCheck = { ok: true; value: string } | { ok: false; message: string };

/** Checks one UserID; `role` ("user", "peer") starts the error message so the caller knows which one failed. */
export function checkUserId(value: string, role: string): UserIdCheck {
  const result = userIdSchema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    message: `${role} ${quote(value)} ${result.error.issues[0]?.message ?? 'is not a valid UserID'}`,
  };
}

/** Unix seconds up to which messages become read: whole seconds, not in the future (5 minutes of clock skew allowed). */
export function checkReadTime(
  value: string,
  nowMs = Date.now(),
): { ok: true; value: number } | { ok: false; message: string } {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed))
    return {
      ok: false,
      message: `read-up-to time ${quote(value, 24)} is not a whole number of Unix seconds (e.g. ${Math.floor(nowMs / 1000)})`,
    };
  const seconds = Number(trimmed);
  if (trimmed.length >= 13)
    return {
      ok: false,
      message: `read-up-to time ${trimmed} looks like milliseconds; give Unix seconds (e.g. ${Math.floor(seconds / 1000)})`,
    };
  if (seconds === 0)
    return {
      ok: false,
      message: `read-up-to time must be after 1970-01-01 (Unix seconds, e.g. ${Math.floor(nowMs / 1000)})`,
    };
  if (seconds * 1000 > nowMs + 300_000)
    return {
      ok: false,
      message: `read-up-to time ${trimmed} is in the future (${new Date(seconds * 1000).toISOString()}); leave it out to mean "now"`,
    };
  return { ok: true, value: seconds };
}
