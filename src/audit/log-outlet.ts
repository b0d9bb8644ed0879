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
    const line = [{ audit: event }, `audit ${event.kind}`] as const;
    if (this.quietPairs && event.kind === 'mark' && event.runId !== undefined) this.logger.debug(...line);
    else this.always.info(...line);
  }
}
