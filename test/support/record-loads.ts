/**
 * A preload (`node --import dist/test/support/record-loads.js …`) that writes every module the process loads, one
 * URL or path a line, to the file named by MARKREAD_LOADED_FILE: ES modules as they are resolved (a loader hook,
 * which sees `import` and `import()`), CommonJS ones from require's cache when the process exits.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.MARKREAD_LOADED_FILE;
if (file) {
  register('./record-loads-hooks.js', import.meta.url, { data: { file } });
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(file, `${Object.keys(cache).join('\n')}\n`));
}
