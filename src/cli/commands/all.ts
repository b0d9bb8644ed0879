import { createInterface } from 'node:readline/promises';
import { ConversationListError, countOneToOne, oneToOnePeers, pairsFor } from '../../domain/conversations.js';
import { emptySummary } from '../../domain/run-tally.js';
import type { ImApp } from '../../im/app.js';
import { onAppText } from '../../im/apps.js';
import type { CliCommand } from '../args.js';
import { EXIT, exitForError } from '../exit-codes.js';
import { type ImSession, withImSession } from '../im-session.js';
import { markMany, overApproval } from '../mark-many.js';
import { summaryJson } from '../output.js';
import type { CliSession } from '../session.js';

type AllCommand = Extract<CliCommand, { kind: 'mark-all' }>;

/**
 * `markread <user> --all`: counts the user's one-to-one conversations, asks (unless --yes), then marks them all
 * as the list is paged. With --dry-run it pages the list read-only, which needs the key, so it is not offline.
 */
export function runAll(cli: CliSession, command: AllCommand): Promise<number> {
  return withImSession(cli, { json: command.json, offline: false, reason: command.reason, app: command.app }, (im) =>
    command.dryRun ? dryRunAll(cli, im.app, command) : markAll(cli, im, command),
  );
}

async function markAll(cli: CliSession, im: ImSession, command: AllCommand): Promise<number> {
  const { app } = im;
  let total: number;
  try {
    total = await countOneToOne(app.client, command.user, cli.signal);
  } catch (error) {
    return listFailed(cli, error);
  }
  if (total === 0) {
    cli.term.out(
      command.json
        ? `${JSON.stringify(summaryJson(emptySummary(), 0))}\n`
        : `${command.user} has no one-to-one conversations; nothing to do.\n`,
    );
    return EXIT.ok;
  }
  // Said before the prompt, so the person deciding knows that Slack would have asked someone else first.
  const warned = !command.json && overApproval(cli, im.approvalOver, total).approval !== undefined;
  const declined = await confirm(cli, command, total, onAppText(app, im.apps.several));
  if (declined !== undefined) return declined;
  return markMany(
    cli,
    im,
    pairsFor(command.user, oneToOnePeers(app.client, command.user, cli.signal), command.readTime),
    {
      total,
      json: command.json,
      clearMarks: command.clearMarks,
      target: { user: command.user, all: true, count: total },
      warned,
    },
  );
}

/**
 * Asks before marking `total` conversations, unless --yes (which then says what it is doing). Undefined to go on;
 * else the exit code: 2 without a terminal to ask on, 0 for a "no", 130 for Ctrl-C at the prompt.
 */
async function confirm(
  cli: CliSession,
  command: AllCommand,
  total: number,
  onApp: string,
): Promise<number | undefined> {
  const { term } = cli;
  if (command.yes) {
    if (!command.json) term.err(`${command.user} has ${total} one-to-one conversations${onApp}; marking them read.\n`);
    return undefined;
  }
  if (!process.stdin.isTTY) {
    term.err(
      `markread: ${command.user} has ${total} one-to-one conversations${onApp}; add --yes to mark them all read without a prompt.\n`,
    );
    return EXIT.usage;
  }
  const answer = await ask(`Mark all ${total} one-to-one conversations of ${command.user}${onApp} read? [y/N] `);
  if (answer === undefined) {
    term.err('\nCancelled with Ctrl-C; nothing was changed.\n');
    return EXIT.interrupted;
  }
  if (!/^y(es)?$/i.test(answer.trim())) {
    term.err('Cancelled; nothing was changed.\n');
    return EXIT.ok;
  }
  return undefined;
}

/** The answer typed at the terminal; undefined for Ctrl-C, which at the prompt is a "no". */
async function ask(question: string): Promise<string | undefined> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string | undefined>((resolve) => {
    prompt.once('SIGINT', () => resolve(undefined));
    prompt.question(question).then(resolve, () => resolve(undefined));
  });
  prompt.close();
  return answer;
}

/** --all --dry-run: pages the list (read-only) and says what a real run would mark. */
async function dryRunAll(cli: CliSession, app: ImApp, command: AllCommand): Promise<number> {
  const firstPeers: string[] = [];
  let total = 0;
  try {
    for await (const peer of oneToOnePeers(app.client, command.user, cli.signal)) {
      if (peer === command.user) continue;
      total++;
      if (firstPeers.length < 10) firstPeers.push(peer);
    }
  } catch (error) {
    return listFailed(cli, error);
  }
  cli.term.out(
    command.json
      ? `${JSON.stringify({ dryRun: true, user: command.user, conversations: total, firstPeers })}\n`
      : `Dry run: nothing was marked. ${command.user} has ${total} one-to-one conversation${total === 1 ? '' : 's'}${total ? `; the first: ${firstPeers.join(', ')}${total > firstPeers.length ? ', …' : ''}` : ''}.\n`,
  );
  return EXIT.ok;
}

/** The conversation list could not be read: say why, exit 1 if the API refused, 3 if it did not answer. */
function listFailed(cli: CliSession, error: unknown): number {
  if (!(error instanceof ConversationListError)) throw error;
  cli.term.err(`markread: ${error.message}\n`);
  return exitForError(error.message);
}
