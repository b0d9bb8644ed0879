import type { AuditActor, AuditEvent, AuditKind, AuditOutcome, AuditTarget } from '../../audit/event.js';
import { contextBlock, type SlackMessage, section } from './message.js';
import { clip, code, escapeMrkdwn, mention } from './mrkdwn.js';

/** What a reader of the audit channel sees first: an icon and what the actor did (the target follows). */
const KIND_TEXT: Record<AuditKind, { icon: string; did: string }> = {
  refused: { icon: ':no_entry:', did: 'was refused' },
  mark: { icon: ':white_check_mark:', did: 'marked read' },
  check: { icon: ':mag:', did: 'checked' },
  'marks-cleared': { icon: ':broom:', did: 'cleared the unread marks of' },
  'run-requested': { icon: ':inbox_tray:', did: 'asked to mark read' },
  'run-confirmed': { icon: ':arrow_forward:', did: 'confirmed marking read' },
  'run-cancelled': { icon: ':x:', did: 'cancelled marking read' },
  'run-stopped': { icon: ':octagonal_sign:', did: 'stopped marking read' },
  'run-finished': { icon: ':checkered_flag:', did: 'finished marking read' },
  interrupted: { icon: ':warning:', did: 'was interrupted marking read' },
  replayed: { icon: ':repeat:', did: 'replayed' },
  'approval-requested': { icon: ':raised_hand:', did: 'asked for approval to mark read' },
  approved: { icon: ':heavy_check_mark:', did: 'approved marking read' },
  denied: { icon: ':no_entry_sign:', did: 'denied marking read' },
  'approval-expired': { icon: ':hourglass:', did: 'saw an approval expire for' },
  'approval-withdrawn': { icon: ':leftwards_arrow_with_hook:', did: 'withdrew the approval request for' },
};

/** How many peers a line names before it says "and N more". */
const PEERS_SHOWN = 3;
/** Free text (a reason, a detail) is clipped: the channel's message is a headline, the log line has it all. */
const FREE_TEXT_MAX = 300;

/**
 * The audit channel's message for one event: one short line (who did what to whom, and what came of it) and a
 * context line (the IM app, the reason, how it came, the thread). Everything a person typed or a server said is
 * escaped, so a reason such as `<!channel>` stays inert.
 */
export function auditMessage(event: AuditEvent): SlackMessage {
  const { icon, did } = KIND_TEXT[event.kind];
  const target = event.target ? ` ${targetText(event.target)}` : '';
  const outcome = event.outcome ? ` → ${outcomeText(event.outcome)}` : '';
  const line = `${icon} ${actorText(event.actor)} ${did}${target}${outcome}`;
  const context = contextText(event);
  return { text: line, blocks: [section(line), contextBlock(context)] };
}

function actorText(actor: AuditActor): string {
  if (actor.kind === 'slack') return mention(actor.user);
  if (actor.kind === 'cli') return `${code(`${actor.osUser}@${actor.host}`)} (CLI)`;
  return 'markread';
}

function targetText(target: AuditTarget): string {
  const user = code(target.user);
  if (target.all) return `${user} ↔ every peer${target.count !== undefined ? ` (${target.count})` : ''}`;
  const peers = target.peers ?? [];
  if (peers.length === 0) return user;
  const shown = peers.slice(0, PEERS_SHOWN).map(code).join(', ');
  const more = peers.length > PEERS_SHOWN ? ` and ${peers.length - PEERS_SHOWN} more` : '';
  return `${user} ↔ ${shown}${more}`;
}

function outcomeText(outcome: AuditOutcome): string {
  const parts = [`*${escapeMrkdwn(outcome.status)}*`];
  if (outcome.actionStatus !== undefined)
    parts.push(`${outcome.actionStatus} ${outcome.errorCode ?? ''}`.trim() + errorInfo(outcome));
  if (outcome.unreadBefore !== undefined || outcome.unreadAfter !== undefined)
    parts.push(`unread ${count(outcome.unreadBefore)} → ${count(outcome.unreadAfter)}`);
  if (outcome.done !== undefined)
    parts.push(`${outcome.done} done, ${outcome.ok ?? 0} OK, ${outcome.failed ?? 0} failed`);
  if (outcome.detail !== undefined) parts.push(free(outcome.detail));
  return parts.join(', ');
}

function errorInfo(outcome: AuditOutcome): string {
  return outcome.errorInfo ? ` (${free(outcome.errorInfo)})` : '';
}

function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '?' : String(n);
}

function contextText(event: AuditEvent): string {
  const parts: string[] = [];
  if (event.app) parts.push(`app ${escapeMrkdwn(event.app.name)} (${event.app.sdkAppId})`);
  if (event.reason !== undefined) parts.push(`reason: “${free(event.reason)}”`);
  if (event.requester !== undefined) parts.push(`requested by ${person(event.requester)}`);
  if (event.approver !== undefined) parts.push(`approved by ${person(event.approver)}`);
  if (event.approval === 'self-approved') parts.push(':rotating_light: *SELF-APPROVED (break glass)*');
  if (event.approval === 'not-approved') parts.push(':warning: *over the approval threshold, not approved* (CLI)');
  if (event.runId !== undefined) parts.push(`run ${code(event.runId)}`);
  parts.push(`via ${event.via}`);
  if (event.thread?.link) parts.push(`<${event.thread.link.replace(/[<>|]/g, '')}|thread>`);
  return parts.join(' · ');
}

/** A Slack member ID as a mention; anything else (a CLI user) as inline code. */
function person(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? mention(id) : code(id);
}

function free(text: string): string {
  return clip(escapeMrkdwn(text), FREE_TEXT_MAX);
}
