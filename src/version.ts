import { readFileSync } from 'node:fs';

/**
 * markread's version, from the package.json it was installed with (two levels up from dist/src/version.js, in
 * a checkout and in an installed package alike).
 */
export const VERSION: string = (() => {
  try {
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
})();
