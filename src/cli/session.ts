import { setMaxListeners } from 'node:events';
import { hostname, userInfo } from 'node:os';
import type { AuditActor } from '../audit/event.js';
import { Redactor } from '../log/redactor.js';
import { EXIT } from './exit-codes.js';
import { Terminal } from './terminal.js';

/** What every command of one CLI run shares: where output goes, the stop signal, who is acting. */
export interface CliSession {
  /** One redactor for the whole run: it learns the environment's secrets once loaded, and each UserSig minted. */
  readonly redactor: Redactor;
  readonly term: Terminal;
  /** Aborted by Ctrl-C, or by stdout's reader going away: calls already sent finish, the rest are not made. */
  readonly signal: AbortSignal;
  /** The OS user and host, for the audit trail. */
  readonly actor: AuditActor;
  /** From now on Ctrl-C stops the run cleanly, and the output says so (before, it ends the process at once). */
  stopOnCtrlC(): void;
  /** The exit code of a run a stop ended: 141 when stdout went away, else 130 (Ctrl-C). */
  stoppedCode(): number;
  /** Says what was wrong before anything was called (on stderr, and on stdout with --json); exit 2. */
  fail(kind: 'usage' | 'configuration', problems: string[], json: boolean): number;
}

export function startSession(): CliSession {
  const redactor = new Redactor();
  const term = new Terminal(redactor);
  const stop = new AbortController();
  // Every call in flight listens on it (a hundred or so in a bulk run at full pace): not a leak.
  setMaxListeners(1_000, stop.signal);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') return;
    term.stdoutClosed = true;
    stop.abort();
  });
  return {
    redactor,
    term,
    signal: stop.signal,
    actor: cliActor(),
    stopOnCtrlC: () => process.once('SIGINT', () => stop.abort()),
    stoppedCode: () => (term.stdoutClosed ? EXIT.outputClosed : EXIT.interrupted),
    fail: (kind, problems, json) => fail(term, kind, problems, json),
  };
}

function fail(term: Terminal, kind: 'usage' | 'configuration', problems: string[], json: boolean): number {
  if (json) term.out(`${JSON.stringify({ error: kind, problems })}\n`);
  const hint =
    kind === 'usage'
      ? '\nRun `markread --help` for usage.'
      : '\nSee `markread --help` or .env.example for every variable.';
  term.err(`markread: ${kind} error, nothing was called:\n${problems.map((p) => `  - ${p}`).join('\n')}${hint}\n`);
  return EXIT.usage;
}

/** The person at the CLI: the OS account (as the OS knows it, not as $USER claims) on this host. */
function cliActor(): AuditActor {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return { kind: 'cli', osUser, host: hostname() };
}
