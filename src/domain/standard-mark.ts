/**
 * How markread reads a conversation's `StandardMark`, in one place because the docs leave part of it open.
 *
 * Documented: the standard marks are 64 positions numbered from 1 — 1 starred, 2 marked unread, 3 folded, 4 hidden,
 * 33–64 the customer's — and the client SDKs' mark values are `1 << (n − 1)` (starred 0x1, marked unread 0x2), so
 * position n is bit n − 1 of a 64-bit value. `StandardMark` is that value as a bit string such as "000000010".
 * Not documented: which end of the string holds bit 0. markread reads the string both ways: where both readings
 * agree the answer is certain; where they disagree the mark is treated as possibly set and said so ("maybe marked
 * unread: StandardMark 010000000"), so a real "marked unread" conversation is never missed because of the open
 * question. Clearing sends `ClearMark [2]` (harmless where the mark was not set) and is proven by reading again.
 */
export const MARKED_UNREAD = 2;

/**
 * What a bit string says of one mark: 'set' or 'clear' where the plausible readings agree, 'ambiguous' where they
 * do not. A reading is implausible when it sets a position the docs assign to nobody (5–32): "000000010" read bit 0
 * first would be position 8, so it is read as a binary number, position 2.
 */
export type MarkState = 'set' | 'clear' | 'ambiguous';

const unassigned = (position: number) => position >= 5 && position <= 32;

/** The 1-based positions set in `bits`, reading it as a binary number or with bit 0 first. */
function positionsSet(bits: string, bitZeroFirst: boolean): number[] {
  const positions: number[] = [];
  for (let i = 0; i < bits.length; i++)
    if (bits[i] === '1') positions.push((bitZeroFirst ? i : bits.length - 1 - i) + 1);
  return positions;
}

/** The mark at `position` (1-based) in `standardMark`; undefined when the string is not a bit string. */
export function readStandardMark(standardMark: string | undefined, position: number): MarkState | undefined {
  if (standardMark === undefined || standardMark === '') return 'clear';
  if (!/^[01]+$/.test(standardMark)) return undefined;
  const readings = [positionsSet(standardMark, false), positionsSet(standardMark, true)];
  const plausible = readings.filter((set) => !set.some(unassigned));
  const answers = new Set((plausible.length > 0 ? plausible : readings).map((set) => set.includes(position)));
  if (answers.size > 1) return 'ambiguous';
  return answers.has(true) ? 'set' : 'clear';
}
