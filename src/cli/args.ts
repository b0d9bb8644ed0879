import { parseArgs } from 'node:util';
import { type MarkReadRequest, parseMarkReadRequest } from '../domain/mark-read-request.js';
import { checkReadTime, checkUserId } from '../domain/user-id.js';
import { clipPlain, quote, visible } from '../text/visible.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'mark'; request: MarkReadRequest; json: boolean; dryRun: boolean }
  | { kind: 'mark-many'; user: string; peers: string[]; readTime: number | undefined; json: boolean; dryRun: boolean }
  | { kind: 'mark-all'; user: string; readTime: number | undefined; yes: boolean; json: boolean; dryRun: boolean }
  | { kind: 'from-file'; path: string; json: boolean; dryRun: boolean }
  | { kind: 'usage-error'; problems: string[]; json: boolean };

const ARG_OPTIONS = {
  'read-time': { type: 'string' },
  json: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  'from-file': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: ARG_OPTIONS });
}

/** Turns argv (without node and the script) into what to do. Never throws. */
export function parseCliArgs(argv: string[], nowMs = Date.now()): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { kind: 'usage-error', problems: [describeArgError(error as Error)], json: argv.includes('--json') };
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  const usage = (...problems: string[]): CliCommand => ({ kind: 'usage-error', problems, json });
  if (values.help || argv.length === 0) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  if (values['from-file'] !== undefined) {
    if (positionals.length > 0 || values.all || values['read-time'] !== undefined) {
      return usage(
        '--from-file takes no UserIDs, --all or --read-time: each line of the file is user,peer[,read_time]',
      );
    }
    return { kind: 'from-file', path: values['from-file'], json, dryRun: values['dry-run'] === true };
  }

  let readTime: number | undefined;
  if (values['read-time'] !== undefined) {
    const checked = checkReadTime(values['read-time'], nowMs);
    if (!checked.ok) return usage(checked.message);
    readTime = checked.value;
  }

  if (values.all) {
    if (positionals.length !== 1)
      return usage(
        `--all takes exactly one UserID, the user whose conversations become read; got ${positionals.length}`,
      );
    const user = checkUserId(positionals[0] as string, 'user');
    if (!user.ok) return usage(user.message);
    return {
      kind: 'mark-all',
      user: user.value,
      readTime,
      yes: values.yes === true,
      json,
      dryRun: values['dry-run'] === true,
    };
  }

  if (positionals.length < 2) {
    return usage(
      `expected <user> and at least one <peer>, got ${positionals.length} UserID${positionals.length === 1 ? '' : 's'}${
        positionals.length
          ? ` (${positionals
              .slice(0, 5)
              .map((p) => quote(p))
              .join(' ')})`
          : ''
      }`,
    );
  }
  const [user, ...rawPeers] = positionals as [string, ...string[]];
  const peers = [...new Set(rawPeers)];
  if (peers.length === 1) {
    const checked = parseMarkReadRequest({ user, peer: peers[0] as string, readTime: values['read-time'] }, nowMs);
    if (!checked.ok) return usage(...checked.problems.map((p) => p.message));
    return { kind: 'mark', request: checked.request, json, dryRun: values['dry-run'] === true };
  }
  const problems: string[] = [];
  for (const peer of peers) {
    const checked = parseMarkReadRequest({ user, peer }, nowMs);
    if (!checked.ok)
      problems.push(...checked.problems.filter((p) => p.field !== 'user' || peer === peers[0]).map((p) => p.message));
  }
  if (problems.length > 0) return usage(...problems);
  return { kind: 'mark-many', user, peers, readTime, json, dryRun: values['dry-run'] === true };
}

const OPTIONS = ['--read-time', '--json', '--dry-run', '--all', '--yes', '--from-file', '--help', '--version'];

/** parseArgs' message, with a "did you mean" for a mistyped option. */
function describeArgError(error: Error): string {
  const unknown = /Unknown option '([^']*)'/.exec(error.message)?.[1];
  if (unknown !== undefined) {
    const name = unknown.split('=')[0] as string;
    const guess = OPTIONS.map((o) => [o, distance(name, o)] as const).sort((a, b) => a[1] - b[1])[0];
    const hint = guess && guess[1] <= 2 ? `; did you mean ${guess[0]}?` : `; the options are ${OPTIONS.join(', ')}`;
    return `unknown option ${quote(name, 32)}${hint}`;
  }
  return visible(clipPlain(error.message, 200));
}

/** Levenshtein distance, for short option names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}
