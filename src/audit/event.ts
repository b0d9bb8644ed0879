import { z } from 'zod';

/**
 * The audit trail's one record: who did what, to whom, when, why, with whose approval, with what result. Written
 * as a zod schema because events cross boundaries (the log line a SIEM reads, Slack message metadata, the shared
 * history in Redis): the type is inferred from the schema, and what is read back is checked against it.
 * The README's "Audit trail" lists these fields; change both together, and only by adding.
 */

/** Who acted: a Slack user, a person at the CLI, or markread itself (a shutdown, an expiry). */
const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slack'), team: z.string().optional(), user: z.string() }),
  z.object({ kind: z.literal('cli'), osUser: z.string(), host: z.string() }),
  z.object({ kind: z.literal('markread') }),
]);

/** How it came. */
const Via = z.enum(['command', 'modal', 'button', 'app-home', 'cli', 'system']);

/** Whose conversations: one user's, with the named peers, or all of them (`all`, with `count` once known). */
const Target = z.object({
  user: z.string(),
  peers: z.array(z.string()).optional(),
  all: z.boolean().optional(),
  count: z.number().int().nonnegative().optional(),
});

/** What it came to. Unread counts are null where not known, never a guessed zero. */
const Outcome = z.object({
  status: z.string(),
  actionStatus: z.enum(['OK', 'FAIL']).optional(),
  errorCode: z.number().int().optional(),
  errorInfo: z.string().optional(),
  unreadBefore: z.number().int().nullable().optional(),
  unreadAfter: z.number().int().nullable().optional(),
  /** A run's counts: pairs tried, marked, failed. */
  done: z.number().int().optional(),
  ok: z.number().int().optional(),
  failed: z.number().int().optional(),
  /** In plain words, for what the fields above do not say (a refusal's reason, what a check found). */
  detail: z.string().optional(),
});

/** The Slack thread where the requester saw it, with a link once the workspace's address is known. */
const Thread = z.object({ channel: z.string(), ts: z.string().optional(), link: z.string().optional() });

export const AUDIT_KINDS = [
  'refused',
  'mark',
  'check',
  'marks-cleared',
  'run-requested',
  'run-confirmed',
  'run-cancelled',
  'run-stopped',
  'run-finished',
  'interrupted',
  'replayed',
  'approval-requested',
  'approved',
  'denied',
  'approval-expired',
  'approval-withdrawn',
] as const;

export const AuditEventSchema = z.object({
  /** Unique, sortable by time (a UUIDv7-like id is not needed: `at` orders, `id` identifies). */
  id: z.string(),
  /** ISO 8601, UTC. */
  at: z.string(),
  kind: z.enum(AUDIT_KINDS),
  actor: Actor,
  via: Via,
  /** The IM app acted on: its SDKAppID and name. Absent where no app was involved (a refused stranger). */
  app: z.object({ name: z.string(), sdkAppId: z.number().int() }).optional(),
  target: Target.optional(),
  /** Why, in the requester's words (escaped wherever it is shown). */
  reason: z.string().optional(),
  runId: z.string().optional(),
  /** A run's requester, where the actor is someone else (a confirm, a stop by another person, an approval). */
  requester: z.string().optional(),
  /** Who approved a run: its later events name them. */
  approver: z.string().optional(),
  /**
   * A run over MARKREAD_APPROVAL_OVER that no second person approved: `not-approved` (the CLI, which holds the
   * key and cannot be gated); `self-approved` when its requester broke the glass.
   */
  approval: z.enum(['not-approved', 'self-approved']).optional(),
  outcome: Outcome.optional(),
  thread: Thread.optional(),
});

export type AuditEvent = z.infer<typeof AuditEventSchema>;
export type AuditKind = AuditEvent['kind'];
export type AuditActor = AuditEvent['actor'];
export type AuditVia = AuditEvent['via'];
export type AuditTarget = NonNullable<AuditEvent['target']>;
export type AuditOutcome = NonNullable<AuditEvent['outcome']>;
export type AuditThread = NonNullable<AuditEvent['thread']>;

/** An event as its source writes it: the sink gives it its id and time. */
export type AuditDraft = Omit<AuditEvent, 'id' | 'at'>;

/**
 * Events a person acted on or waits for: what the audit channel and the App Home history show. Each pair of a
 * bulk run is a `mark` with a `runId` (the run's own events carry its counts): log line only.
 */
export function isHeadline(event: AuditEvent): boolean {
  // What markread turned away at the door (a forged signature, a replay) is noise in a channel: log line only.
  if (event.kind === 'replayed' || (event.kind === 'refused' && event.actor.kind === 'markread')) return false;
  if (event.kind === 'mark' || event.kind === 'marks-cleared') return event.runId === undefined;
  return true;
}
