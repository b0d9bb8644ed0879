import { EXIT } from '../exit-codes.js';
import type { Terminal } from '../terminal.js';
import { USAGE } from '../usage.js';

/** `markread --help` (and markread alone): the usage. */
export function showHelp(term: Terminal): number {
  term.out(USAGE);
  return EXIT.ok;
}
