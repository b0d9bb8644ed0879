import type { AuditActor, AuditDraft, AuditThread, AuditVia } from './event.js';
import type { AuditSink } from './sink.js';

/**
 * What every action carries so its events say who asked, how, and why: the Slack adapter makes it from the
 * request, the CLI from the OS user and host. The domain records through `sink` and adds what only it knows
 * (the app, the target, the outcome).
 */
export interface AuditScope {
  readonly sink: AuditSink;
  readonly actor: AuditActor;
  readonly via: AuditVia;
  readonly reason?: string;
  readonly runId?: string;
  /** A run's requester, where the actor is someone else. */
  readonly requester?: string;
  readonly approver?: string;
  /** The thread the requester watches, once its parent message is posted. */
  readonly thread?: AuditThread;
}

/** The IM app's part of an event. */
export interface AuditedApp {
  readonly name: string;
  readonly sdkAppId: number;
}

/** The fields of a draft that come from the scope (and the app, when one is acted on). */
export function fromScope(scope: AuditScope, app?: AuditedApp): Omit<AuditDraft, 'kind'> {
  const { actor, via, reason, runId, requester, approver, thread } = scope;
  return {
    actor,
    via,
    ...(app ? { app: { name: app.name, sdkAppId: app.sdkAppId } } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(requester !== undefined ? { requester } : {}),
    ...(approver !== undefined ? { approver } : {}),
    ...(thread !== undefined ? { thread } : {}),
  };
}

/** Something markread itself turned away or ignored (a forged request, a replay): no person is known. */
export function systemEvent(kind: 'refused' | 'replayed', status: string, detail: string): AuditDraft {
  return { kind, actor: { kind: 'markread' }, via: 'system', outcome: { status, detail } };
}

/** Records one event of `scope`. */
export function recordIn(scope: AuditScope, draft: Omit<AuditDraft, 'actor' | 'via'>, app?: AuditedApp): void {
  scope.sink.record({ ...fromScope(scope, app), ...draft });
}
