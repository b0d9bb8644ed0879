import type { ReasonPolicy } from '../config/reason-config.js';
import {
  type AdapterFlags,
  appOf,
  markCommandOf,
  parseMarkCommand,
  reasonOf,
  unknownFlag,
} from '../domain/command-grammar.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';

/**
 * `reason`: --reason, checked and cleaned; every audit event of the command carries it. `app`: --app as typed,
 * looked up once the configuration is loaded (the default app without it).
 */
type Common = { json: boolean; dryRun: boolean; clearMarks: boolean; reason?: string; app?: string };

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | ({ kind: 'mark'; request: MarkReadRequest } & Common)
  | ({ kind: 'mark-many'; user: string; peers: string[]; readTime: number | undefined } & Common)
  | ({ kind: 'mark-all'; user: string; readTime: number | undefined; yes: boolean } & Common)
  | ({ kind: 'from-file'; path: string } & Common)
  | { kind: 'check'; user: string; peers: string[]; json: boolean; reason?: string; app?: string }
  | { kind: 'doctor'; json: boolean }
  | { kind: 'usage-error'; problems: string[]; json: boolean };

/** The CLI's own flags; the command's (--all, --read-time) belong to the shared grammar. */
export const CLI_FLAGS: AdapterFlags = {
  json: 'boolean',
  'dry-run': 'boolean',
  yes: 'boolean',
  'from-file': 'string',
  help: 'boolean',
  version: 'boolean',
};
export const SHORT_FLAGS = new Map([
  ['-y', '--yes'],
  ['-h', '--help'],
  ['-v', '--version'],
]);

/** Turns argv (without node and the script) into what to do. Never throws. */
export function parseCliArgs(
  argv: string[],
  options: { nowMs?: number; reasonPolicy?: ReasonPolicy } = {},
): CliCommand {
  const json = argv.includes('--json');
  const usage = (...problems: string[]): CliCommand => ({ kind: 'usage-error', problems, json });
  if (argv.length === 0) return { kind: 'help' };
  // `doctor` alone is not a mark (that needs two UserIDs), so the word can name the checklist unambiguously.
  const words = argv.filter((a) => a !== '--json');
  if (words.length === 1 && words[0] === 'doctor') return { kind: 'doctor', json };
  const shortUnknown = argv.find((a) => /^-[^-]/.test(a) && !SHORT_FLAGS.has(a));
  if (shortUnknown !== undefined)
    return usage(unknownFlag(shortUnknown.slice(1), Object.keys(CLI_FLAGS)).replace('--', '-'));
  const parsed = parseMarkCommand(
    argv.map((a) => SHORT_FLAGS.get(a) ?? a),
    { ...options, adapterFlags: CLI_FLAGS },
  );
  const { flags } = parsed;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  const dryRun = flags['dry-run'] === true;
  const clearMarks = flags['clear-marks'] === true;

  if (typeof flags['from-file'] === 'string') {
    if (parsed.positionals.length > 0 || flags.all || flags.check || flags['read-time'] !== undefined) {
      return usage(
        '--from-file takes no UserIDs, --all, --check or --read-time: each line of the file is user,peer[,read_time]',
      );
    }
    // The file's pairs are checked as it is read; its reason, here.
    const reason = reasonOf(flags, options.reasonPolicy);
    if (!reason.ok) return usage(reason.problem);
    const named = appOf(flags);
    if (!named.ok) return usage(named.problem);
    const why = {
      ...(reason.reason === undefined ? {} : { reason: reason.reason }),
      ...(named.app === undefined ? {} : { app: named.app }),
    };
    return { kind: 'from-file', path: flags['from-file'], json, dryRun, clearMarks, ...why };
  }
  if (!parsed.ok) return usage(...parsed.problems);
  const command = markCommandOf(parsed.target);
  if (command.kind === 'check') {
    if (dryRun) return usage('--check is read-only already; drop --dry-run');
    return { ...command, json };
  }
  return command.kind === 'mark-all'
    ? { ...command, yes: flags.yes === true, json, dryRun }
    : { ...command, json, dryRun };
}
