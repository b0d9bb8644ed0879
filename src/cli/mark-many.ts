import { randomUUID } from 'node:crypto';
import type { AuditTarget } from '../audit/event.js';
import { type AuditScope, recordIn } from '../audit/scope.js';
import { type ClearMarksReport, clearUnreadMarks } from '../domain/conversation-marks.js';
import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { type PairResult, type RunSummary, runMarkRead, runOutcome } from '../domain/mark-read-run.js';
import type { ImApp } from '../im/app.js';
import { marksJson, marksText } from './check-output.js';
import { EXIT, exitFor } from './exit-codes.js';
import type { ImSession } from './im-session.js';
import { outcomeJson, pairLine, summaryJson, summaryText } from './output.js';
import { EVERY_PAIR_UP_TO, ProgressBar } from './progress.js';
import type { CliSession } from './session.js';

/** How a run of many pairs is asked for: its total if known, --json, --clear-marks. */
export interface ManyOptions {
  total: number | undefined;
  json: boolean;
  clearMarks: boolean;
  /** Whose conversations, for the run's audit event (absent for a file of many users). */
  target?: AuditTarget;
  /** The approval warning was shown already (with --all's prompt, before the person decided). */
  warned?: boolean;
}

/**
 * Marks many pairs (a list, a file, or every conversation of a user as it is paged): a line per pair, a progress
 * bar on a terminal, the summary, then with --clear-marks the marks of the conversations marked. The exit code
 * says the worst that happened: 1 for a FAIL, 3 for no answer, 130/141 when stopped.
 */
export async function markMany(
  cli: CliSession,
  { app, audit: session, approvalOver }: ImSession,
  pairs: Iterable<MarkReadRequest> | AsyncIterable<MarkReadRequest>,
  options: ManyOptions,
): Promise<number> {
  const { term, signal } = cli;
  // One id for the run's pairs and its end, so the audit trail groups them.
  const audit: AuditScope = { ...session, runId: randomUUID() };
  const unapproved = overApproval(options.warned ? undefined : cli, approvalOver, options.total);
  const target = { ...(options.target ? { target: options.target } : {}), ...unapproved };
  recordIn(audit, { kind: 'run-requested', ...target }, app);
  const { total, json } = options;
  const marked = new Map<string, string[]>();
  const progress = new ProgressBar(process.stderr, total);
  // With the bar on the same terminal, a long run prints only its failures; the summary has the rest.
  const onlyFailures =
    !json && progress.enabled && process.stdout.isTTY === true && (total === undefined || total > EVERY_PAIR_UP_TO);
  if (onlyFailures) term.err(`Printing only pairs that fail; the summary follows at the end.\n`);
  const statuses = new Set<PairResult['outcome']['status']>();
  const summary: RunSummary = await runMarkRead(app, pairs, {
    audit,
    signal,
    onPair: (result) => {
      statuses.add(result.outcome.status);
      if (options.clearMarks && result.outcome.status === 'ok') addPeer(marked, result.outcome.request);
      if (onlyFailures && result.outcome.status === 'ok') return;
      progress.above(() => term.out(json ? `${JSON.stringify(outcomeJson(result))}\n` : pairLine(result)));
    },
    onProgress: (s) => progress.update(s),
  });
  progress.finish();
  recordIn(audit, { kind: 'run-finished', ...target, outcome: runOutcome(summary) }, app);
  term.out(json ? `${JSON.stringify(summaryJson(summary, total))}\n` : summaryText(summary, total));
  if (summary.stopped && signal.aborted) return cli.stoppedCode();
  if (await clearMarksOf(cli, app, audit, marked, json)) return EXIT.apiFailed;
  if (summary.sourceError !== undefined) return statuses.has('failed') ? EXIT.apiFailed : EXIT.unreachable;
  return exitFor(statuses);
}

/**
 * Slack asks another person to approve a run over MARKREAD_APPROVAL_OVER; the CLI holds the secret key and cannot
 * be gated, so it says so (on `cli`, unless said already) and its run's events say it was not approved.
 */
export function overApproval(cli: CliSession | undefined, over: number | undefined, total: number | undefined) {
  if (over === undefined || total === undefined || total <= over) return {};
  cli?.term.err(
    `markread: warning: ${total} conversations is over MARKREAD_APPROVAL_OVER=${over}. In Slack this run would wait for another person's approval; the command line cannot be gated, so it goes ahead and the audit trail records it as not approved.\n`,
  );
  return { approval: 'not-approved' as const };
}

function addPeer(marked: Map<string, string[]>, { user, peer }: MarkReadRequest): void {
  const peers = marked.get(user) ?? [];
  peers.push(peer);
  marked.set(user, peers);
}

/**
 * --clear-marks: after marking read, the "marked unread" marks of the conversations that were marked, user by
 * user, each with its proof. True when any could not be cleared.
 */
async function clearMarksOf(
  cli: CliSession,
  app: ImApp,
  audit: AuditScope,
  marked: Map<string, string[]>,
  json: boolean,
): Promise<boolean> {
  let marksBad = false;
  for (const [user, peers] of marked) {
    const report = await clearUnreadMarks(app, user, peers, audit, cli.signal);
    cli.term.out(json ? `${JSON.stringify({ user, ...marksJson(report) })}\n` : `${user}: ${marksText(report)}`);
    marksBad ||= marksFailed(report);
    if (!report.ok && report.unsupported) break; // said once per run, not per user
  }
  return marksBad;
}

/** Marks that were asked to be cleared and were not (or could not be) count as a failure: never claimed done. */
export function marksFailed(report: ClearMarksReport | undefined): boolean {
  return report !== undefined && (!report.ok || report.notCleared > 0);
}
