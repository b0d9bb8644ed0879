import { DEFAULT_REASON_POLICY, type ReasonPolicy } from '../config/reason-config.js';
import { closest } from '../text/closest.js';
import { quote } from '../text/visible.js';
import { quoteWord } from './command-words.js';
import { type MarkReadRequest, markReadRequest, parseMarkReadRequest } from './mark-read-request.js';
import { checkReason, type ReasonCheck } from './reason.js';
import { checkReadTime, checkUserId } from './user-id.js';

/**
 * What a mark command is about, whichever surface it came from: some peers of one user, or all of the user's
 * one-to-one conversations; optionally only messages before `readTime`; and why (`reason`, already checked).
 */
export type MarkTarget = (
  | { kind: 'pairs'; user: string; peers: string[]; readTime: number | undefined; clearMarks?: boolean }
  | { kind: 'all'; user: string; readTime: number | undefined; clearMarks?: boolean }
  /** Read-only: look at `user`'s badge (the named peers, or every conversation) and say what a fix would do. */
  | { kind: 'check'; user: string; peers: string[] }
) & { reason?: string; app?: string };

/** A flag only one surface knows (the CLI's --json, --dry-run …): its name and whether it takes a value. */
export type AdapterFlags = Record<string, 'boolean' | 'string'>;

type Checked = { ok: true; target: MarkTarget } | { ok: false; problems: string[] };

/** The target (or why there is none), with the flags seen, the surface's own included. */
export type GrammarResult = Checked & { flags: Record<string, string | true>; positionals: string[] };

/**
 * The flags of the command itself, shared by Slack and the CLI. Read-only modes (--check) are flags too, so that
 * no existing command changes meaning.
 */
export const GRAMMAR_FLAGS: AdapterFlags = {
  all: 'boolean',
  'read-time': 'string',
  check: 'boolean',
  'clear-marks': 'boolean',
  reason: 'string',
  /** Which IM app (TIM_APPS); the surface looks the name up, and without it acts on the default app. */
  app: 'string',
};

export interface GrammarOptions {
  adapterFlags?: AdapterFlags;
  maxPeers?: number;
  nowMs?: number;
  /** Whether a change needs a reason, and how long one must be; by default optional, at least 10 characters. */
  reasonPolicy?: ReasonPolicy;
}

/**
 * The one grammar of a mark command: `<user> <peer> [<peer> …]` or `<user> --all`, with `--read-time <unix
 * seconds>` (or `--read-time=…`) and `--reason <text>`, flags anywhere. Each surface strips its own syntax first
 * (Slack escaping, quotes and mentions) and declares its own flags (`adapterFlags`), which come back in `flags`.
 * Every UserID, the read time and the reason are checked with the same rules; one bad value rejects the whole
 * command, so nothing is called.
 */
export function parseMarkCommand(words: string[], options: GrammarOptions = {}): GrammarResult {
  const known: AdapterFlags = { ...GRAMMAR_FLAGS, ...options.adapterFlags };
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--') || word === '--') {
      positionals.push(word);
      continue;
    }
    const [name, inline] = splitFlag(word.slice(2));
    // Own properties only: `--constructor` is an unknown flag, not Object.prototype's.
    const kind = Object.hasOwn(known, name) ? known[name] : undefined;
    if (kind === undefined) return { ok: false, problems: [unknownFlag(name, Object.keys(known))], flags, positionals };
    if (kind === 'boolean') {
      if (inline !== undefined) return { ok: false, problems: [`--${name} takes no value`], flags, positionals };
      flags[name] = true;
    } else {
      const value = inline ?? words[++i];
      if (value === undefined) return { ok: false, problems: [`--${name} needs a value`], flags, positionals };
      flags[name] = value;
    }
  }
  const checked = withApp(withReason(target(positionals, flags, options), flags, options.reasonPolicy), flags);
  return { ...checked, flags, positionals };
}

/** The app named by --app among `flags`, as typed (each surface looks it up among its apps); empty is a problem. */
export function appOf(
  flags: Record<string, string | true>,
): { ok: true; app?: string } | { ok: false; problem: string } {
  if (typeof flags.app !== 'string') return { ok: true };
  const app = flags.app.trim();
  return app === '' ? { ok: false, problem: '--app needs the name of an IM app (one of TIM_APPS)' } : { ok: true, app };
}

/** The target with its app; or every problem, the app's last. */
function withApp(checked: Checked, flags: Record<string, string | true>): Checked {
  const named = appOf(flags);
  if (!named.ok) return { ok: false, problems: [...(checked.ok ? [] : checked.problems), named.problem] };
  return checked.ok && named.app !== undefined ? { ok: true, target: { ...checked.target, app: named.app } } : checked;
}

/** The reason among `flags`, checked against the policy and cleaned; a --check needs none. */
export function reasonOf(flags: Record<string, string | true>, policy = DEFAULT_REASON_POLICY): ReasonCheck {
  return checkReason(typeof flags.reason === 'string' ? flags.reason : undefined, policy, flags.check !== true);
}

/** The target with its reason; or every problem, the reason's last. */
function withReason(checked: Checked, flags: Record<string, string | true>, policy?: ReasonPolicy): Checked {
  const reason = reasonOf(flags, policy);
  if (!reason.ok) return { ok: false, problems: [...(checked.ok ? [] : checked.problems), reason.problem] };
  if (!checked.ok || reason.reason === undefined) return checked;
  return { ok: true, target: { ...checked.target, reason: reason.reason } };
}

function target(
  positionals: string[],
  flags: Record<string, string | true>,
  options: { maxPeers?: number; nowMs?: number },
): Checked {
  const nowMs = options.nowMs ?? Date.now();
  if (flags.check === true) return checkTarget(positionals, flags, options);
  const clearMarks = flags['clear-marks'] === true;
  let readTime: number | undefined;
  if (typeof flags['read-time'] === 'string') {
    const checked = checkReadTime(flags['read-time'], nowMs);
    if (!checked.ok) return { ok: false, problems: [checked.message] };
    readTime = checked.value;
  }
  if (flags.all === true) {
    if (positionals.length !== 1)
      return {
        ok: false,
        problems: [
          `--all takes exactly one UserID, the user whose conversations become read; got ${positionals.length}`,
        ],
      };
    const user = checkUserId(positionals[0] as string, 'user');
    return user.ok
      ? { ok: true, target: { kind: 'all', user: user.value, readTime, clearMarks } }
      : { ok: false, problems: [user.message] };
  }
  if (positionals.length < 2) {
    const shown = positionals.length
      ? ` (${positionals
          .slice(0, 5)
          .map((p) => quote(p))
          .join(' ')})`
      : '';
    return { ok: false, problems: [`expected two UserIDs, <user> and <peer>, got ${positionals.length}${shown}`] };
  }
  const [user, ...rawPeers] = positionals as [string, ...string[]];
  const peers = [...new Set(rawPeers)];
  if (options.maxPeers !== undefined && peers.length > options.maxPeers) {
    return {
      ok: false,
      problems: [`${peers.length} peers is more than ${options.maxPeers}; use --all or the CLI's --from-file for more`],
    };
  }
  const problems: string[] = [];
  for (const [i, peer] of peers.entries()) {
    const checked = parseMarkReadRequest({ user, peer }, nowMs);
    if (!checked.ok)
      problems.push(...checked.problems.filter((p) => p.field !== 'user' || i === 0).map((p) => p.message));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, target: { kind: 'pairs', user, peers, readTime, clearMarks } };
}

/** `<user> [<peer> …] --check`: read-only, so the flags that change things are refused rather than ignored. */
function checkTarget(
  positionals: string[],
  flags: Record<string, string | true>,
  options: { maxPeers?: number; nowMs?: number },
): Checked {
  if (flags['clear-marks'] === true)
    return {
      ok: false,
      problems: ['--check changes nothing, so it takes no --clear-marks; the check says what --clear-marks would do'],
    };
  if (flags['read-time'] !== undefined)
    return { ok: false, problems: ['--check reads only; --read-time applies when marking'] };
  if (positionals.length === 0) return { ok: false, problems: ['--check needs the UserID whose badge is stuck'] };
  if (positionals.length === 1 || flags.all === true) {
    if (flags.all === true && positionals.length !== 1)
      return { ok: false, problems: ['--all --check takes exactly one UserID'] };
    const user = checkUserId(positionals[0] as string, 'user');
    return user.ok
      ? { ok: true, target: { kind: 'check', user: user.value, peers: [] } }
      : { ok: false, problems: [user.message] };
  }
  const pairs = target(positionals, {}, options);
  return pairs.ok && pairs.target.kind === 'pairs'
    ? { ok: true, target: { kind: 'check', user: pairs.target.user, peers: pairs.target.peers } }
    : pairs;
}

/** What a target asks for, as every surface acts on it: one pair, several peers of one user, or --all. */
export type MarkCommand = (
  | { kind: 'mark'; request: MarkReadRequest; clearMarks: boolean }
  | { kind: 'mark-many'; user: string; peers: string[]; readTime: number | undefined; clearMarks: boolean }
  | { kind: 'mark-all'; user: string; readTime: number | undefined; clearMarks: boolean }
  | { kind: 'check'; user: string; peers: string[] }
) & { reason?: string; app?: string };

export function markCommandOf(target: MarkTarget): MarkCommand {
  if (target.kind === 'check') return target;
  const clearMarks = target.clearMarks === true;
  const why = {
    ...(target.reason === undefined ? {} : { reason: target.reason }),
    ...(target.app === undefined ? {} : { app: target.app }),
  };
  if (target.kind === 'all')
    return { kind: 'mark-all', user: target.user, readTime: target.readTime, clearMarks, ...why };
  if (target.peers.length === 1)
    return {
      kind: 'mark',
      request: markReadRequest(target.user, target.peers[0] as string, target.readTime),
      clearMarks,
      ...why,
    };
  return { kind: 'mark-many', user: target.user, peers: target.peers, readTime: target.readTime, clearMarks, ...why };
}

/** The words that state `target` again: what "run it again" shows, parsing back to the same target. */
export function markCommandWords(target: MarkTarget): string[] {
  const app = target.app === undefined ? [] : ['--app', quoteWord(target.app)];
  const why = target.reason === undefined ? [] : ['--reason', quoteWord(target.reason)];
  if (target.kind === 'check') return [...app, target.user, ...target.peers, '--check', ...why];
  const words = target.kind === 'all' ? [target.user, '--all'] : [target.user, ...target.peers];
  if (target.readTime !== undefined) words.push('--read-time', String(target.readTime));
  if (target.clearMarks) words.push('--clear-marks');
  return [...app, ...words, ...why];
}

function splitFlag(flag: string): [string, string | undefined] {
  const at = flag.indexOf('=');
  return at === -1 ? [flag, undefined] : [flag.slice(0, at), flag.slice(at + 1)];
}

/** "unknown option --jsno; did you mean --json?" */
export function unknownFlag(name: string, known: string[]): string {
  const guess = closest(name, known);
  const hint = guess ? `; did you mean --${guess}?` : `; the options are ${known.map((k) => `--${k}`).join(', ')}`;
  return `unknown option ${quote(`--${name}`, 32)}${hint}`;
}
