import type { Logger } from '../log/logger.js';
import type { AuditEvent } from './event.js';
import type { AuditOutlet } from './sink.js';

/**
 * Outlet 1, always on: one JSON line per event, `{"audit": <the event>, "msg": "audit <kind>", …}`, written at
 * info whatever LOG_LEVEL says (an audit trail is not a debug setting). The schema is the README's "Audit trail".
 * `quietPairs`: the pairs of a run go at debug instead, under LOG_LEVEL (the CLI on a terminal, where a
 * 2,000-pair run's lines would bury its progress; a pipe or a file gets them all).
 */
export class AuditLogOutlet implements AuditOutlet {
  readonly name = 'log';
  private readonly always: Logger;

  constructor(
    private readonly logger: Logger,
    private readonly quietPairs = false,
  ) {
    this.always = logger.child({}, { level: 'info' });
  }

  accept(event: AuditEvent): void {
    const line = [{ audit: event }, headlineOf(event)] as const;
    if (this.quietPairs && event.kind === 'mark' && event.runId !== undefined) this.logger.debug(...line);
    else this.always.info(...line);
  }
}

/**
 * The line's message: "audit <kind>: <whose> <status>", short enough for a terminal, where the readable format
 * shows it alone (src/log/terminal-destination.ts); the `audit` object has everything.
 */
export function headlineOf(event: AuditEvent): string {
  const { target, outcome } = event;
  const peers = target?.peers;
  const whose = !target
    ? ''
    : target.all
      ? ` ${target.user}, all${target.count !== undefined ? ` ${target.count}` : ''}`
      : peers?.length === 1
        ? ` ${target.user} ↔ ${peers[0]}`
        : ` ${target.user}, ${peers?.length ?? 0} peers`;
  const counts =
    outcome?.unreadBefore !== undefined || outcome?.unreadAfter !== undefined
      ? ` (unread ${outcome?.unreadBefore ?? '?'} → ${outcome?.unreadAfter ?? '?'})`
      : '';
  return `audit ${event.kind}:${whose}${outcome ? ` ${outcome.status}` : ''}${counts}`.replace(/:$/, '');
}
