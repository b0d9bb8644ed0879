import { clearUnreadMarks } from '../../domain/conversation-marks.js';
import { type MarkReadRequest, markReadRequests } from '../../domain/mark-read-request.js';
import { markReadWithProof } from '../../domain/mark-read-run.js';
import type { CliCommand } from '../args.js';
import { marksJson, marksText } from '../check-output.js';
import { dryRun } from '../dry-run.js';
import { EXIT, exitFor } from '../exit-codes.js';
import { type ImSession, withImSession } from '../im-session.js';
import { markMany, marksFailed } from '../mark-many.js';
import { outcomeJson, outcomeText } from '../output.js';
import type { CliSession } from '../session.js';

type MarkCommand = Extract<CliCommand, { kind: 'mark' | 'mark-many' }>;

/** `markread <user> <peer> [<peer> …]`: marks the pairs read (or, with --dry-run, shows the plan offline). */
export function runMark(cli: CliSession, command: MarkCommand): Promise<number> {
  return withImSession(
    cli,
    { json: command.json, offline: command.dryRun, reason: command.reason, app: command.app },
    (im) => {
      if (command.dryRun) return dryRun(cli.term, im, pairsOf(command), command.json);
      if (command.kind === 'mark') return markOne(cli, im, command);
      return markMany(cli, im, pairsOf(command), {
        total: command.peers.length,
        json: command.json,
        clearMarks: command.clearMarks,
        ...(command.kind === 'mark-many' ? { target: { user: command.user, peers: command.peers } } : {}),
      });
    },
  );
}

function pairsOf(command: MarkCommand): MarkReadRequest[] {
  return command.kind === 'mark' ? [command.request] : markReadRequests(command.user, command.peers, command.readTime);
}

/** One pair: its outcome with the unread count before and after, and with --clear-marks its mark's proof. */
async function markOne(
  cli: CliSession,
  { app, audit }: ImSession,
  command: Extract<MarkCommand, { kind: 'mark' }>,
): Promise<number> {
  const { signal } = cli;
  const result = await markReadWithProof(app, command.request, audit, signal);
  const marks =
    command.clearMarks && result.outcome.status === 'ok'
      ? await clearUnreadMarks(app, command.request.user, [command.request.peer], audit, signal)
      : undefined;
  cli.term.out(
    command.json
      ? `${JSON.stringify({ ...outcomeJson(result), ...(marks ? marksJson(marks) : {}) })}\n`
      : `${outcomeText(result)}${marks ? marksText(marks) : ''}`,
  );
  if (signal.aborted) return cli.stoppedCode();
  return marksFailed(marks) ? EXIT.apiFailed : exitFor([result.outcome.status]);
}
