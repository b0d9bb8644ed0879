import type { AuditEvent } from '../../audit/event.js';
import { clip, code, escapeMrkdwn, mention, slackDate } from './mrkdwn.js';

/**
 * One audit event as the App Home tab lists it: when, who, what to whom, then the outcome, the app, how it came
 * and a link to its thread, then the reason. Every field came from a person or a server (and, shared, through
 * Redis), so each is escaped; times are Slack date tokens, shown in the viewer's own time zone.
 */
export function historyLine(event: AuditEvent): string {
  const head = `*${when(event.at)}* · ${actorOf(event.actor)} · *${escapeMrkdwn(event.kind)}*${targetOf(event)}`;
  const facts = [
    outcomeOf(event.outcome),
    event.app ? `app ${code(event.app.name)} (${event.app.sdkAppId})` : undefined,
    `via ${escapeMrkdwn(event.via)}`,
    threadOf(event.thread),
  ].filter((part): part is string => part !== undefined && part !== '');
  const reason = event.reason ? `\nReason: ${clip(escapeMrkdwn(event.reason), 300)}` : '';
  return `${head}\n${facts.join(' · ')}${reason}`;
}

/** A Slack date token (the viewer's time zone), with the ISO time where a client cannot show it. */
function when(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return escapeMrkdwn(at);
  return slackDate(ms);
}

/** A Slack member ID as a mention (views notify nobody); anything else as code. */
function person(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? mention(id) : code(id);
}

function actorOf(actor: AuditEvent['actor']): string {
  if (actor.kind === 'slack') return person(actor.user);
  if (actor.kind === 'cli') return `${code(`${actor.osUser}@${actor.host}`)} (CLI)`;
  return 'markread';
}

function targetOf({ target, requester }: AuditEvent): string {
  const of = requester ? ` (${person(requester)}’s run)` : '';
  if (!target) return of;
  const user = code(target.user);
  if (target.all) return ` ${user}, all conversations${target.count !== undefined ? ` (${target.count})` : ''}${of}`;
  const peers = target.peers ?? [];
  if (peers.length === 1) return ` ${user} ↔ ${code(peers[0] as string)}${of}`;
  return ` ${user}${peers.length > 1 ? ` and ${peers.length} peers` : ''}${of}`;
}

const STATUS_ICON: Record<string, string> = {
  ok: ':white_check_mark:',
  failed: ':x:',
  unreachable: ':warning:',
  'not-allowed': ':no_entry:',
  stopped: ':octagonal_sign:',
};

function outcomeOf(outcome: AuditEvent['outcome']): string | undefined {
  if (!outcome) return undefined;
  const parts = [`${STATUS_ICON[outcome.status] ?? '•'} ${escapeMrkdwn(outcome.status)}`];
  if (outcome.errorCode !== undefined && outcome.errorCode !== 0)
    parts.push(
      `ErrorCode ${outcome.errorCode}${outcome.errorInfo ? ` ${clip(escapeMrkdwn(outcome.errorInfo), 120)}` : ''}`,
    );
  if (outcome.done !== undefined) parts.push(`${outcome.ok ?? 0} ok, ${outcome.failed ?? 0} failed of ${outcome.done}`);
  if (outcome.unreadBefore !== undefined || outcome.unreadAfter !== undefined)
    parts.push(`unread ${outcome.unreadBefore ?? 'unknown'} → ${outcome.unreadAfter ?? 'unknown'}`);
  if (outcome.detail) parts.push(clip(escapeMrkdwn(outcome.detail), 200));
  return parts.join(', ');
}

/** The thread's link when it is a plain https URL (it is put inside `<…>`), else the channel, else nothing. */
function threadOf(thread: AuditEvent['thread']): string | undefined {
  if (!thread) return undefined;
  if (thread.link && /^https:\/\/[^\s<>|]+$/.test(thread.link)) return `<${thread.link}|thread>`;
  if (/^[CG][A-Z0-9]{2,}$/.test(thread.channel)) return `in <#${thread.channel}>`;
  return undefined;
}
