import { parseMarkReadRequest, type MarkReadRequest } from '../domain/mark-read-request.js';

/**
 * Reads `user,peer[,read_time]` lines. Blank lines and lines starting with `#` are skipped, and so is a first
 * line that is the header `user,peer[,read_time]`. Every line is checked before anything is called; problems
 * name their line number.
 */
export function parsePairsFile(text: string, nowMs = Date.now()): { ok: true; pairs: MarkReadRequest[] } | { ok: false; problems: string[] } {
  const pairs: MarkReadRequest[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (index === 0 && /^user\s*,\s*peer(\s*,\s*read_time)?$/i.test(line)) return;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 2 || fields.length > 3) {
      problems.push(`line ${index + 1}: expected user,peer or user,peer,read_time, got ${fields.length} field${fields.length === 1 ? '' : 's'}`);
      return;
    }
    const checked = parseMarkReadRequest({ user: fields[0] as string, peer: fields[1] as string, readTime: fields[2] }, nowMs);
    if (checked.ok) pairs.push(checked.request);
    else problems.push(...checked.problems.map((p) => `line ${index + 1}: ${p.message}`));
  });
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 20).concat(problems.length > 20 ? [`…and ${problems.length - 20} more`] : []) };
  if (pairs.length === 0) return { ok: false, problems: ['the file has no user,peer lines'] };
  return { ok: true, pairs };
}
