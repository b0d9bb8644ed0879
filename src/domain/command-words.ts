import { quote } from '../text/visible.js';
import { REASON_EXAMPLE } from './reason.js';

/**
 * Quotes a word may open with, and the quotes that close each: straight ones, and the curly ones phones and
 * some keyboards type instead ("smart quotes": “…”, ‘…’, „…“, and ”…” where both come out the same).
 */
const CLOSERS: Readonly<Record<string, string>> = {
  '"': '"',
  '“': '”“',
  '”': '”',
  '„': '“”',
  "'": "'",
  '‘': '’‘',
  '’': '’',
};

export type SplitWords = { ok: true; words: string[] } | { ok: false; problem: string };

/**
 * Splits typed command text into words at whitespace, keeping a quoted part whole: `--reason "ticket 123: stuck"`
 * is two words, and so is `--reason=“ticket 123”`. A quote opens only at the start of a word or just after `=`,
 * so an apostrophe inside a word (`alice's`) is just a letter. An unclosed quote is a problem, never a guess.
 */
export function splitWords(text: string): SplitWords {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let word = '';
    let started = false;
    while (i < text.length && !/\s/.test(text[i] as string)) {
      const ch = text[i] as string;
      const closers = CLOSERS[ch];
      if (closers !== undefined && (!started || word.endsWith('='))) {
        const end = indexOfAny(text, closers, i + 1);
        if (end === -1) return { ok: false, problem: unclosed(ch, closers, text.slice(i)) };
        word += text.slice(i + 1, end);
        i = end + 1;
      } else {
        word += ch;
        i++;
      }
      started = true;
    }
    words.push(word);
  }
  return { ok: true, words };
}

function indexOfAny(text: string, chars: string, from: number): number {
  for (let j = from; j < text.length; j++) if (chars.includes(text[j] as string)) return j;
  return -1;
}

function unclosed(open: string, closers: string, rest: string): string {
  return `the quote ${open} in ${quote(rest, 40)} is never closed: end it with ${closers[0]} (e.g. ${REASON_EXAMPLE})`;
}

/** `word` as typed text that `splitWords` reads back as exactly `word`, quoted when it needs to be. */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"“”„'‘’=]/.test(word)) return word;
  if (!word.includes('"')) return `"${word}"`;
  if (!/[“”]/.test(word)) return `“${word}”`;
  if (!word.includes("'")) return `'${word}'`;
  if (!/[‘’]/.test(word)) return `‘${word}’`;
  // Every kind of quote is in it: straight double quotes become curly closing ones, the nearest look-alike.
  return `"${word.replace(/"/g, '”')}"`;
}
