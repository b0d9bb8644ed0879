#!/usr/bin/env node
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../config/config-error.js';
import { loadEnvFile } from '../config/env-file.js';
import { type LoadedImConfig, loadImConfig } from '../config/im-config.js';
import { loadRedisConfig, type RedisConfig } from '../config/redis-config.js';
import { checkBadge, planPeers } from '../domain/badge-check.js';
import { type ClearMarksReport, clearUnreadMarks } from '../domain/conversation-marks.js';
import { ConversationListError, countOneToOne, oneToOnePeers, pairsFor } from '../domain/conversations.js';
import { type MarkReadRequest, markReadRequests } from '../domain/mark-read-request.js';
import {
  emptySummary,
  markReadWithProof,
  type PairResult,
  type RunSummary,
  runMarkRead,
} from '../domain/mark-read-run.js';
import { ADMIN_SET_MSG_READ, adminSetMsgReadBody } from '../im/apis/admin-set-msg-read.js';
import type { ImApp } from '../im/app.js';
import { createImRuntime } from '../im-runtime.js';
import { createLogger } from '../log/logger.js';
import { addEnvSecrets, Redactor } from '../log/redactor.js';
import { stderrDestination } from '../log/terminal-destination.js';
import { VERSION } from '../version.js';
import { type CliCommand, parseCliArgs } from './args.js';
import { checkJson, checkText, marksJson, marksText } from './check-output.js';
import { runDoctor } from './doctor.js';
import { EXIT } from './exit-codes.js';
import { outcomeJson, outcomeText, pairLine, summaryJson, summaryText } from './output.js';
import { parsePairsFile } from './pairs-file.js';
import { EVERY_PAIR_UP_TO, ProgressBar } from './progress.js';
import { sharedBudgets } from './shared-budgets.js';
import { Terminal } from './terminal.js';
import { USAGE } from './usage.js';

const AUDIT = { source: 'cli', osUser: process.env.USER };

/** One redactor for the whole run: it learns the environment's secrets now and each UserSig as it is minted. */
const redactor = new Redactor();
const term = new Terminal(redactor);
/** Ctrl-C, or stdout's reader going away: calls already sent finish, the rest are not made. */
const stop = new AbortController();
// Every call in flight listens on it (a hundred or so in a bulk run at full pace): not a leak.
setMaxListeners(1_000, stop.signal);
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') return;
  term.stdoutClosed = true;
  stop.abort();
});
const stoppedCode = () => (term.stdoutClosed ? EXIT.outputClosed : EXIT.interrupted);

async function main(argv: string[]): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.kind === 'doctor') return runDoctor(command.json, term);
  if (command.kind === 'help') {
    term.out(USAGE);
    return EXIT.ok;
  }
  if (command.kind === 'version') {
    term.out(`markread ${VERSION}\n`);
    return EXIT.ok;
  }
  if (command.kind === 'usage-error') return fail('usage', command.problems, command.json, true);

  // Read and check a pairs file before touching configuration or the network.
  let filePairs: MarkReadRequest[] | undefined;
  if (command.kind === 'from-file') {
    let text: string;
    try {
      text = readFileSync(command.path === '-' ? 0 : command.path, 'utf8');
    } catch (error) {
      return fail('usage', [`cannot read ${command.path}: ${(error as Error).message}`], command.json, true);
    }
    const parsed = parsePairsFile(text);
    if (!parsed.ok) return fail('usage', parsed.problems, command.json, true);
    filePairs = parsed.pairs;
  }

  loadEnvFile();
  addEnvSecrets(redactor, process.env);
  // A dry run of pairs calls nothing, so it needs no secret key (and shows the SDKAppID as a placeholder if unset).
  const offline = 'dryRun' in command && command.dryRun && command.kind !== 'mark-all';
  const env = offline ? { TIM_SECRET_KEY: NOT_SET, TIM_SDKAPPID: '1', ...process.env } : process.env;
  const sdkAppIdMissing = offline && !process.env.TIM_SDKAPPID?.trim();
  let loaded: LoadedImConfig;
  try {
    loaded = loadImConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return fail('configuration', error.problems, command.json, false);
    throw error;
  }
  let redis: RedisConfig | undefined;
  try {
    redis = offline ? undefined : loadRedisConfig(env, loaded.config.sdkAppId);
  } catch (error) {
    if (error instanceof ConfigError) return fail('configuration', error.problems, command.json, false);
    throw error;
  }
  // The CLI's stdout is its output; logs go to stderr (readable lines on a terminal), at warn unless LOG_LEVEL says.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ? loaded.config.logLevel : 'warn',
    redactor,
    destination: stderrDestination(),
  });
  // With REDIS_URL the CLI spends the same send budget as the app's replicas, so together they stay under it.
  const shared = redis ? await sharedBudgets(redis, logger) : undefined;
  const { app } = createImRuntime(loaded.config, {
    logger,
    redactor,
    client: { budget: shared?.budgets },
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  // Ctrl-C stops cleanly: calls already sent finish, calls not yet sent are not made, and the output says so.
  process.once('SIGINT', () => stop.abort());
  try {
    if (offline)
      return dryRun(
        app,
        command.kind === 'from-file'
          ? (filePairs as MarkReadRequest[])
          : pairsOf(command as Extract<CliCommand, { kind: 'mark' | 'mark-many' }>),
        command.json,
        sdkAppIdMissing,
      );
    switch (command.kind) {
      case 'mark':
        return await markOne(app, command, stop.signal);
      case 'mark-many':
        return await markMany(
          app,
          markReadRequests(command.user, command.peers, command.readTime),
          command.peers.length,
          command.json,
          stop.signal,
          command.clearMarks,
        );
      case 'from-file':
        return await markMany(
          app,
          filePairs as MarkReadRequest[],
          (filePairs as MarkReadRequest[]).length,
          command.json,
          stop.signal,
          command.clearMarks,
        );
      case 'check':
        return await check(app, command, stop.signal);
      case 'mark-all':
        return await markAll(app, command, stop.signal);
      default:
        throw new Error(`unhandled command ${(command as { kind: string }).kind}`);
    }
  } finally {
    await app.client.close();
    await shared?.close();
  }
}

const NOT_SET = 'not-set-dry-run-only';

function pairsOf(command: Extract<CliCommand, { kind: 'mark' | 'mark-many' }>): MarkReadRequest[] {
  return command.kind === 'mark' ? [command.request] : markReadRequests(command.user, command.peers, command.readTime);
}

/** The plan of a dry run: how many pairs, whose, and the first request exactly as it would be sent. */
function dryRun(app: ImApp, pairs: MarkReadRequest[], json: boolean, sdkAppIdMissing: boolean): number {
  const first = pairs[0] as MarkReadRequest;
  const described = app.client.describeRequest(
    ADMIN_SET_MSG_READ.command,
    adminSetMsgReadBody({ reportAccount: first.user, peerAccount: first.peer, msgReadTime: first.readTime }),
  );
  if (sdkAppIdMissing) described.query.sdkappid = '<TIM_SDKAPPID>';
  const users = [...new Set(pairs.map((p) => p.user))];
  if (json) {
    term.out(
      `${JSON.stringify({ dryRun: true, pairs: pairs.length, users: users.slice(0, 20), usersTotal: users.length, first: described })}\n`,
    );
    return EXIT.ok;
  }
  // The usersig= value is shown redacted, as every usersig= value is anywhere markread prints (none is minted here).
  const query = Object.entries(described.query)
    .map(([k, v]) => `${k}=${k === 'usersig' ? '[redacted]' : v}`)
    .join('&');
  const whose = `${users.length} user${users.length === 1 ? '' : 's'} (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})`;
  term.out(
    `Dry run: nothing was sent. ${pairs.length} pair${pairs.length === 1 ? '' : 's'} for ${whose}; each is one admin_set_msg_read, with unread counts read before and after.\n` +
      `First request (no UserSig is minted in a dry run):\n  ${described.method} ${described.origin}${described.path}?${query}\n  body ${JSON.stringify(described.body)}\n`,
  );
  return EXIT.ok;
}

/** The conversation list could not be read: say why, exit 1 if the API refused, 3 if it did not answer. */
function listFailed(error: unknown): number {
  if (!(error instanceof ConversationListError)) throw error;
  term.err(`markread: ${error.message}\n`);
  return /ErrorCode/.test(error.message) ? EXIT.apiFailed : EXIT.unreachable;
}

/** --all --dry-run: pages the list (read-only) and says what a real run would mark. */
async function dryRunAll(
  app: ImApp,
  command: Extract<CliCommand, { kind: 'mark-all' }>,
  signal: AbortSignal,
): Promise<number> {
  const firstPeers: string[] = [];
  let total = 0;
  try {
    for await (const peer of oneToOnePeers(app.client, command.user, signal)) {
      if (peer === command.user) continue;
      total++;
      if (firstPeers.length < 10) firstPeers.push(peer);
    }
  } catch (error) {
    return listFailed(error);
  }
  term.out(
    command.json
      ? `${JSON.stringify({ dryRun: true, user: command.user, conversations: total, firstPeers })}\n`
      : `Dry run: nothing was marked. ${command.user} has ${total} one-to-one conversation${total === 1 ? '' : 's'}${total ? `; the first: ${firstPeers.join(', ')}${total > firstPeers.length ? ', …' : ''}` : ''}.\n`,
  );
  return EXIT.ok;
}

async function markOne(
  app: ImApp,
  command: Extract<CliCommand, { kind: 'mark' }>,
  signal: AbortSignal,
): Promise<number> {
  const result = await markReadWithProof(app, command.request, AUDIT, signal);
  const marks =
    command.clearMarks && result.outcome.status === 'ok'
      ? await clearUnreadMarks(app.client, command.request.user, [command.request.peer], signal)
      : undefined;
  term.out(
    command.json
      ? `${JSON.stringify({ ...outcomeJson(result), ...(marks ? marksJson(marks) : {}) })}\n`
      : `${outcomeText(result)}${marks ? marksText(marks) : ''}`,
  );
  if (signal.aborted) return stoppedCode();
  return marksFailed(marks) ? EXIT.apiFailed : exitFor([result.outcome.status]);
}

async function markMany(
  app: ImApp,
  pairs: Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>,
  total: number | undefined,
  json: boolean,
  signal: AbortSignal,
  clearMarks = false,
): Promise<number> {
  const marked = new Map<string, string[]>();
  const progress = new ProgressBar(process.stderr, total);
  // With the bar on the same terminal, a long run prints only its failures; the summary has the rest.
  const onlyFailures =
    !json && progress.enabled && process.stdout.isTTY === true && (total === undefined || total > EVERY_PAIR_UP_TO);
  if (onlyFailures) term.err(`Printing only pairs that fail; the summary follows at the end.\n`);
  const statuses = new Set<PairResult['outcome']['status']>();
  const summary: RunSummary = await runMarkRead(app, pairs, {
    audit: AUDIT,
    signal,
    onPair: (result) => {
      statuses.add(result.outcome.status);
      const { user, peer } = result.outcome.request;
      if (clearMarks && result.outcome.status === 'ok') {
        const peers = marked.get(user) ?? [];
        peers.push(peer);
        marked.set(user, peers);
      }
      if (onlyFailures && result.outcome.status === 'ok') return;
      progress.above(() => term.out(json ? `${JSON.stringify(outcomeJson(result))}\n` : pairLine(result)));
    },
    onProgress: (s) => progress.update(s),
  });
  progress.finish();
  term.out(json ? `${JSON.stringify(summaryJson(summary, total))}\n` : summaryText(summary, total));
  if (summary.stopped && signal.aborted) return stoppedCode();
  // --clear-marks: after marking read, the "marked unread" marks of the conversations that were marked.
  let marksBad = false;
  for (const [user, peers] of marked) {
    const report = await clearUnreadMarks(app.client, user, peers, signal);
    term.out(json ? `${JSON.stringify({ user, ...marksJson(report) })}\n` : `${user}: ${marksText(report)}`);
    marksBad ||= marksFailed(report);
    if (!report.ok && report.unsupported) break; // said once per run, not per user
  }
  if (marksBad) return EXIT.apiFailed;
  if (summary.sourceError !== undefined) return statuses.has('failed') ? EXIT.apiFailed : EXIT.unreachable;
  return exitFor([...statuses]);
}

async function markAll(
  app: ImApp,
  command: Extract<CliCommand, { kind: 'mark-all' }>,
  signal: AbortSignal,
): Promise<number> {
  if (command.dryRun) return dryRunAll(app, command, signal);
  let total: number;
  try {
    total = await countOneToOne(app.client, command.user, signal);
  } catch (error) {
    return listFailed(error);
  }
  if (total === 0) {
    term.out(
      command.json
        ? `${JSON.stringify(summaryJson(emptySummary(), 0))}\n`
        : `${command.user} has no one-to-one conversations; nothing to do.\n`,
    );
    return EXIT.ok;
  }
  if (!command.yes) {
    if (!process.stdin.isTTY) {
      term.err(
        `markread: ${command.user} has ${total} one-to-one conversations; add --yes to mark them all read without a prompt.\n`,
      );
      return EXIT.usage;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    // Ctrl-C at the prompt is a "no", with the exit code of any other Ctrl-C.
    const answer = await new Promise<string | undefined>((resolve) => {
      prompt.once('SIGINT', () => resolve(undefined));
      prompt
        .question(`Mark all ${total} one-to-one conversations of ${command.user} read? [y/N] `)
        .then(resolve, () => resolve(undefined));
    });
    prompt.close();
    if (answer === undefined) {
      term.err('\nCancelled with Ctrl-C; nothing was changed.\n');
      return EXIT.interrupted;
    }
    if (!/^y(es)?$/i.test(answer.trim())) {
      term.err('Cancelled; nothing was changed.\n');
      return EXIT.ok;
    }
  } else if (!command.json) {
    term.err(`${command.user} has ${total} one-to-one conversations; marking them read.\n`);
  }
  return markMany(
    app,
    pairsFor(command.user, oneToOnePeers(app.client, command.user, signal), command.readTime),
    total,
    command.json,
    signal,
    command.clearMarks,
  );
}

/** Marks that were asked to be cleared and were not (or could not be) count as a failure: never claimed done. */
function marksFailed(report: ClearMarksReport | undefined): boolean {
  return report !== undefined && (!report.ok || report.notCleared > 0);
}

/** `--check`: read-only; exit 0 when it could look, 1 when the API refused, 3 when it did not answer. */
async function check(
  app: ImApp,
  command: Extract<CliCommand, { kind: 'check' }>,
  signal: AbortSignal,
): Promise<number> {
  const report = await checkBadge(app, command.user, command.peers, { ...AUDIT, via: 'check' }, signal);
  // Exactly what the check found; a long list is --all instead (it marks the rest too, harmlessly).
  const peers = planPeers(report.plan);
  const fix = `markread ${[command.user, ...(peers.length <= 50 ? peers : ['--all'])].join(' ')} --clear-marks`;
  term.out(command.json ? `${JSON.stringify(checkJson(report))}\n` : checkText(report, fix));
  if (report.userExists === false) return EXIT.apiFailed;
  if (report.accountsError || report.listError)
    return /ErrorCode/.test(report.accountsError ?? report.listError ?? '') ? EXIT.apiFailed : EXIT.unreachable;
  return EXIT.ok;
}

/** 0 if every pair is OK; 1 if the API answered FAIL for any; 3 if only answers were missing. */
function exitFor(statuses: Array<PairResult['outcome']['status']>): number {
  if (statuses.includes('failed')) return EXIT.apiFailed;
  if (statuses.includes('unreachable')) return EXIT.unreachable;
  return EXIT.ok;
}

function fail(kind: 'usage' | 'configuration', problems: string[], json: boolean, showUsageHint: boolean): number {
  if (json) term.out(`${JSON.stringify({ error: kind, problems })}\n`);
  const hint = showUsageHint
    ? '\nRun `markread --help` for usage.'
    : '\nSee `markread --help` or .env.example for every variable.';
  term.err(`markread: ${kind} error, nothing was called:\n${problems.map((p) => `  - ${p}`).join('\n')}${hint}\n`);
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    addEnvSecrets(redactor, process.env);
    term.err(`markread: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
