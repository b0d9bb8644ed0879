import { type AdapterFlags, markCommandOf, parseMarkCommand, unknownFlag } from '../domain/command-grammar.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'mark'; request: MarkReadRequest; json: boolean; dryRun: boolean }
  | { kind: 'mark-many'; user: string; peers: string[]; readTime: number | undefined; json: boolean; dryRun: boolean }
  | { kind: 'mark-all'; user: string; readTime: number | undefined; yes: boolean; json: boolean; dryRun: boolean }
  | { kind: 'from-file'; path: string; json: boolean; dryRun: boolean }
  | { kind: 'usage-error'; problems: string[]; json: boolean };

/** The CLI's own flags; the command's (--all, --read-time) belong to the shared grammar. */
const CLI_FLAGS: AdapterFlags = {
  json: 'boolean',
  'dry-run': 'boolean',
  yes: 'boolean',
  'from-file': 'string',
  help: 'boolean',
  version: 'boolean',
};
const SHORT = new Map([
  ['-y', '--yes'],
  ['-h', '--help'],
  ['-v', '--version'],
]);

/** Turns argv (without node and the script) into what to do. Never throws. */
export function parseCliArgs(argv: string[], nowMs = Date.now()): CliCommand {
  const json = argv.includes('--json');
  const usage = (...problems: string[]): CliCommand => ({ kind: 'usage-error', problems, json });
  if (argv.length === 0) return { kind: 'help' };
  const shortUnknown = argv.find((a) => /^-[^-]/.test(a) && !SHORT.has(a));
  if (shortUnknown !== undefined)
    return usage(unknownFlag(shortUnknown.slice(1), Object.keys(CLI_FLAGS)).replace('--', '-'));
  const parsed = parseMarkCommand(
    argv.map((a) => SHORT.get(a) ?? a),
    { adapterFlags: CLI_FLAGS, nowMs },
  );
  const { flags } = parsed;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  const dryRun = flags['dry-run'] === true;

  if (typeof flags['from-file'] === 'string') {
    if (parsed.positionals.length > 0 || flags.all || flags['read-time'] !== undefined) {
      return usage(
        '--from-file takes no UserIDs, --all or --read-time: each line of the file is user,peer[,read_time]',
      );
    }
    return { kind: 'from-file', path: flags['from-file'], json, dryRun };
  }
  if (!parsed.ok) return usage(...parsed.problems);
  const command = markCommandOf(parsed.target);
  return command.kind === 'mark-all'
    ? { ...command, yes: flags.yes === true, json, dryRun }
    : { ...command, json, dryRun };
}
