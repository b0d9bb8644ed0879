/**
 * Text a person typed or a server sent, made safe to show on any surface (Slack, a terminal, a log): characters
 * that are invisible or that reorder or control the display (bidi overrides such as U+202E, zero-width spaces,
 * C0/C1 controls, lone surrogates, line and paragraph separators) are shown as `\uXXXX` escapes, so what a
 * reader sees is what was sent. Ordinary spaces and printable text, in any script, are kept.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;

/** How many characters of `text` a reader sees: code points, not counting the invisible ones `visible()` escapes. */
export function visibleLength(text: string): number {
  return [...text.replace(INVISIBLE, '')].length;
}

export function visible(text: string): string {
  return text.replace(
    INVISIBLE,
    (ch) => `\\u${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** Cuts `text` to at most `max` UTF-16 units, never inside a surrogate pair, ending in `…` when cut. */
export function clipPlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Echoed input, quoted: visible, and clipped so a 4 MB argument is never echoed whole. */
export function quote(text: string, max = 64): string {
  return `"${clipPlain(visible(text), max)}"`;
}
