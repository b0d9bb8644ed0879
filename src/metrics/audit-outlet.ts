import { Counter, type Registry } from 'prom-client';
import type { AuditEvent } from '../audit/event.js';
import type { AuditOutlet } from '../audit/sink.js';

/**
 * Label values an event's outcome.status may give, by kind. outcome.status is a free string in the schema, so
 * only these are used as they are; anything else (a status added later) is counted as `other`, which keeps
 * every series bounded whatever the events say.
 */
const MARK_OUTCOMES = new Set(['ok', 'failed', 'unreachable']);
const RUN_OUTCOMES = new Set(['ok', 'failed', 'stopped', 'interrupted']);
/**
 * Refusals: at the gate, an app unknown or not the requester's, a full queue, a tampered form, a button of someone
 * else's run, a request not Slack's.
 */
const REFUSAL_REASONS = new Set([
  'not-allowed',
  'unknown-app',
  'busy',
  'bad-form',
  'refused',
  'missing-signature-headers',
  'stale-timestamp',
  'timestamp-in-the-future',
  'bad-signature',
]);

/** The approval events, as the counter's `step`. */
const APPROVAL_STEPS: Partial<Record<AuditEvent['kind'], string>> = {
  'approval-requested': 'requested',
  approved: 'approved',
  denied: 'denied',
  'approval-expired': 'expired',
  'approval-withdrawn': 'withdrawn',
};

const bounded = (value: string, known: ReadonlySet<string>) => (known.has(value) ? value : 'other');

/**
 * The audit sink's metrics outlet: most of what happened is already an audit event, so it is counted here rather
 * than at each place it happens. Counts only; it keeps no event and never sees a user, a peer or a reason.
 */
export class MetricsAuditOutlet implements AuditOutlet {
  readonly name = 'metrics';
  private readonly marks: Counter<'app' | 'outcome'>;
  private readonly imErrors: Counter<'app' | 'error_code'>;
  private readonly refusals: Counter<'reason'>;
  private readonly runs: Counter<'outcome'>;
  private readonly approvals: Counter<'step'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.marks = new Counter({
      name: 'markread_marks_total',
      help: 'Conversations marked read (single marks and each pair of a bulk run), by outcome and IM app',
      labelNames: ['app', 'outcome'],
      registers,
    });
    this.imErrors = new Counter({
      name: 'markread_im_errors_total',
      help: 'IM API answers with a non-zero ErrorCode, by app and ErrorCode',
      labelNames: ['app', 'error_code'],
      registers,
    });
    this.refusals = new Counter({
      name: 'markread_refusals_total',
      help: 'Requests refused (not allowed, busy, a bad form, someone else’s button, a bad signature), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.runs = new Counter({
      name: 'markread_bulk_runs_total',
      help: 'Bulk runs ended, by how: ok, failed (some pairs), stopped, interrupted (a shutdown)',
      labelNames: ['outcome'],
      registers,
    });
    this.approvals = new Counter({
      name: 'markread_approvals_total',
      help: 'Approval requests for large runs, by step: requested, approved, self-approved, denied, expired, withdrawn',
      labelNames: ['step'],
      registers,
    });
  }

  accept(event: AuditEvent): void {
    const status = event.outcome?.status ?? '';
    const app = event.app?.name ?? 'none';
    if (event.kind === 'mark') this.marks.inc({ app, outcome: bounded(status, MARK_OUTCOMES) });
    if (event.kind === 'refused') this.refusals.inc({ reason: bounded(status.replaceAll(' ', '-'), REFUSAL_REASONS) });
    if (event.kind === 'run-finished' || (event.kind === 'interrupted' && event.runId !== undefined))
      this.runs.inc({ outcome: bounded(status, RUN_OUTCOMES) });
    const step = APPROVAL_STEPS[event.kind];
    if (step) this.approvals.inc({ step: event.approval === 'self-approved' ? 'self-approved' : step });
    const code = event.outcome?.errorCode;
    if (code !== undefined && code !== 0) this.imErrors.inc({ app, error_code: String(code) });
  }
}
