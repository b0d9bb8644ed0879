import { type AuditDraft, type AuditEvent, AuditEventSchema } from '../../src/audit/event.js';
import type { AuditScope } from '../../src/audit/scope.js';
import type { AuditSink } from '../../src/audit/sink.js';

/** A sink that keeps what it is given, for tests that check what was recorded. */
export class AuditCapture implements AuditSink {
  readonly events: AuditEvent[] = [];

  record(draft: AuditDraft): AuditEvent {
    const event: AuditEvent = { id: `e${this.events.length + 1}`, at: new Date().toISOString(), ...draft };
    this.events.push(event);
    return event;
  }

  of(kind: AuditEvent['kind']): AuditEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }

  /** A CLI-like scope recording here. */
  scope(extra: Partial<AuditScope> = {}): AuditScope {
    return { sink: this, actor: { kind: 'cli', osUser: 'tester', host: 'test-host' }, via: 'cli', ...extra };
  }
}

/** The audit events among log records (the audit log line's `audit` field), each checked against the schema. */
export function auditLines(records: Array<Record<string, unknown>>): AuditEvent[] {
  return records.filter((r) => typeof r.audit === 'object').map((r) => AuditEventSchema.parse(r.audit));
}
