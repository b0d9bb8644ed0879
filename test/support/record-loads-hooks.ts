/** The loader hooks of record-loads.ts: they run on the loader's own thread, so they write straight to the file. */
import { appendFileSync } from 'node:fs';

let file = '';

export async function initialize(data: { file: string }): Promise<void> {
  file = data.file;
}

export async function resolve(
  specifier: string,
  context: unknown,
  next: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
