import { parseArgs } from 'node:util';
import { parseMarkReadRequest, type MarkReadRequest } from '../domain/mark-read-request.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'mark'; request: MarkReadRequest; json: boolean; dryRun: boolean }
  | { kind: 'usage-error'; problems: string[]; json: boolean };

/** Turns argv (without node and the script) into what to do. Never throws. */
export function parseCliArgs(argv: string[], nowMs = Date.now()): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'read-time': { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return { kind: 'usage-error', problems: [(error as Error).message], json: argv.includes('--json') };
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 2) {
    return {
      kind: 'usage-error',
      problems: [`expected exactly two UserIDs, <user> and <peer>, got ${positionals.length}${positionals.length ? ` (${positionals.map((p) => JSON.stringify(p)).join(' ')})` : ''}`],
      json,
    };
  }
  const [user, peer] = positionals as [string, string];
  const checked = parseMarkReadRequest({ user, peer, readTime: values['read-time'] }, nowMs);
  if (!checked.ok) return { kind: 'usage-error', problems: checked.problems.map((p) => p.message), json };
  return { kind: 'mark', request: checked.request, json, dryRun: values['dry-run'] === true };
}
