/**
 * How markread reads a conversation's `StandardMark`, in one place because the docs leave it open.
 *
 * Documented: standard mark positions are 1-based — 1 starred, 2 marked unread, 3 folded, 4 hidden — and
 * `StandardMark` is a bit string such as "000000100". Not documented: which end of the string is position 1. markread
 * reads it as a binary number written most significant bit first, with position p at bit p (so the last character is
 * bit 0, which no mark uses, and "marked unread" is the third character from the end). If the server disagrees,
 * clearing a mark is proven by reading it again: a mark still set is reported as "could not clear", never as cleared.
 */
export const MARKED_UNREAD = 2;

/** Whether mark `position` is set in `standardMark`; undefined when the string is not a bit string. */
export function hasStandardMark(standardMark: string | undefined, position: number): boolean | undefined {
  if (standardMark === undefined || standardMark === '') return false;
  if (!/^[01]+$/.test(standardMark)) return undefined;
  const index = standardMark.length - 1 - position;
  return index >= 0 && standardMark[index] === '1';
}

/** A bit string with `positions` set (the inverse of hasStandardMark), `width` characters wide. */
export function standardMarkOf(positions: number[], width = 9): string {
  const bits = Array.from({ length: width }, () => '0');
  for (const p of positions) if (p >= 0 && p < width) bits[width - 1 - p] = '1';
  return bits.join('');
}
