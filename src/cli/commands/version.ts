import { VERSION } from '../../version.js';
import { EXIT } from '../exit-codes.js';
import type { Terminal } from '../terminal.js';

/** `markread --version`. */
export function showVersion(term: Terminal): number {
  term.out(`markread ${VERSION}\n`);
  return EXIT.ok;
}
