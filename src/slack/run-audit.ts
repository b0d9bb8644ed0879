import type { AuditKind, AuditTarget, AuditVia } from '../audit/event.js';
import { type AuditScope, recordIn } from '../audit/scope.js';
import type { AuditSink } from '../audit/sink.js';
import type { ImApp } from '../im/app.js';
import type { RunRecord } from '../stores/runs.js';
import type { ParsedCommand } from './command-text.js';
import { contextOf, scopeOf, slackActor } from './context.js';

/** Whose conversations a command is about, where it names any. */
export function commandTarget(parsed: ParsedCommand): AuditTarget | undefined {
  if (parsed.kind === 'mark') return { user: parsed.request.user, peers: [parsed.request.peer] };
  if (parsed.kind === 'mark-many' || parsed.kind === 'check') return { user: parsed.user, peers: parsed.peers };
  if (parsed.kind === 'mark-all') return { user: parsed.user, all: true };
  return undefined;
}

/** Whose conversations a run is about: its peers, or all of its user's (with their count). */
export function runTarget(run: RunRecord): AuditTarget {
  return run.peers ? { user: run.user, peers: run.peers } : { user: run.user, all: true, count: run.total };
}

/**
 * The audit scope of something done to a run: by its requester, or by `presser` (a Stop pressed by someone else),
 * in which case the requester is named beside them.
 */
/** A person acting on a run: their member ID, and their workspace where known. */
export type Presser = { user: string; team?: string };

export function runScope(sink: AuditSink, run: RunRecord, presser?: Presser): AuditScope {
  const ctx = contextOf(run.origin);
  const scope = withApprover(scopeOf(sink, presser ? { ...ctx, via: 'button' } : ctx, { runId: run.id }), run);
  if (!presser || presser.user === run.origin.requester) return scope;
  return { ...scope, actor: slackActor(presser.user, presser.team), requester: run.origin.requester };
}

/** `scope` naming who approved `run`, if anyone did: every event after an approval carries the approver. */
export function withApprover(scope: AuditScope, run: Pick<RunRecord, 'decision'>): AuditScope {
  const approver = approverOf(run);
  return approver === undefined ? scope : { ...scope, approver };
}

/** Who approved a run (its requester, when they broke the glass), so every later event of it names them. */
export function approverOf(run: Pick<RunRecord, 'decision'>): string | undefined {
  const kind = run.decision?.kind;
  return kind === 'approved' || kind === 'self-approved' ? run.decision?.by : undefined;
}

/** Records a step of a run's life (asked for, confirmed, cancelled, stopped) with its target and app. */
export function recordRunStep(
  sink: AuditSink,
  kind: Extract<AuditKind, `run-${string}` | 'approval-requested'>,
  run: RunRecord,
  app: Pick<ImApp, 'name' | 'sdkAppId'> | undefined,
  presser?: Presser,
): void {
  recordIn(runScope(sink, run, presser), { kind, target: runTarget(run) }, app);
}

/** Who pressed a button or sent a form, as the audit trail names them: in their workspace when it is known. */
export function presserOf(body: { user: { id: string }; team?: { id?: string } | null }): Presser {
  return { user: body.user.id, ...(body.team?.id ? { team: body.team.id } : {}) };
}

/** A press or form refused: on record with the run it was for (when known), who was refused, how, and why. */
export function recordRunRefusal(
  sink: AuditSink,
  run: RunRecord | undefined,
  presser: Presser,
  via: AuditVia,
  why: string,
): void {
  const base = run ? runScope(sink, run, presser) : { sink, actor: slackActor(presser.user, presser.team), via };
  recordIn(
    { ...base, via },
    { kind: 'refused', ...(run ? { target: runTarget(run) } : {}), outcome: { status: 'refused', detail: why } },
  );
}
