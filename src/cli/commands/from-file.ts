import { readFileSync } from 'node:fs';
import type { CliCommand } from '../args.js';
import { dryRun } from '../dry-run.js';
import { withImSession } from '../im-session.js';
import { markMany } from '../mark-many.js';
import type { CliSession } from '../session.js';

/**
 * `markread --from-file <pairs.csv | ->`: reads and checks every line before touching configuration or the
 * network, then marks the pairs (or, with --dry-run, shows the plan offline).
 */
export async function runFromFile(
  cli: CliSession,
  command: Extract<CliCommand, { kind: 'from-file' }>,
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(command.path === '-' ? 0 : command.path, 'utf8');
  } catch (error) {
    return cli.fail('usage', [`cannot read ${command.path}: ${(error as Error).message}`], command.json);
  }
  // The CSV parser is loaded only here: no other command needs it.
  const { parsePairsFile } = await import('../pairs-file.js');
  const parsed = parsePairsFile(text);
  if (!parsed.ok) return cli.fail('usage', parsed.problems, command.json);
  const { pairs } = parsed;
  return withImSession(
    cli,
    { json: command.json, offline: command.dryRun, reason: command.reason, app: command.app },
    (im) =>
      command.dryRun
        ? dryRun(cli.term, im, pairs, command.json)
        : markMany(cli, im, pairs, { total: pairs.length, json: command.json, clearMarks: command.clearMarks }),
  );
}
