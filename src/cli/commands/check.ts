import { checkBadge, planPeers } from '../../domain/badge-check.js';
import type { CliCommand } from '../args.js';
import { checkJson, checkText } from '../check-output.js';
import { EXIT, exitForError } from '../exit-codes.js';
import { withImSession } from '../im-session.js';
import type { CliSession } from '../session.js';

/** `markread <user> [<peer> …] --check`: read-only; exit 0 when it could look, 1 when the API refused, 3 when it did not answer. */
export function runCheck(cli: CliSession, command: Extract<CliCommand, { kind: 'check' }>): Promise<number> {
  return withImSession(
    cli,
    { json: command.json, offline: false, reason: command.reason, app: command.app },
    async ({ app, audit }) => {
      const report = await checkBadge(app, command.user, command.peers, audit, cli.signal);
      // Exactly what the check found; a long list is --all instead (it marks the rest too, harmlessly).
      const peers = planPeers(report.plan);
      const why = command.reason === undefined ? '' : ` --reason ${shellWord(command.reason)}`;
      // The app it looked at, named again: the fix must never run on the default app by omission.
      const onApp = command.app === undefined ? '' : `--app ${shellWord(command.app)} `;
      const fix = `markread ${onApp}${[command.user, ...(peers.length <= 50 ? peers : ['--all'])].join(' ')} --clear-marks${why}`;
      cli.term.out(command.json ? `${JSON.stringify(checkJson(report))}\n` : checkText(report, fix));
      if (report.userExists === false) return EXIT.apiFailed;
      if (report.accountsError || report.listError) return exitForError(report.accountsError ?? report.listError ?? '');
      return EXIT.ok;
    },
  );
}

/** `text` as one word for a POSIX shell: single-quoted, so nothing in it expands. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
