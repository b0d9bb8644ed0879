import { type AuditEvent, AuditEventSchema } from '../../audit/event.js';
import type { Logger } from '../../log/logger.js';
import type { AuditHistory } from '../audit-history.js';
import type { RedisLink } from './link.js';

/** Events the shared stream keeps at most, whatever the retention: a bound on Redis memory (about 1 KB each). */
export const HISTORY_CAP = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RedisHistoryOptions {
  /** Events older than this many days are trimmed, and never shown (MARKREAD_HISTORY_DAYS). */
  days: number;
  /** The stream's length bound (tests make it small). */
  cap?: number;
  /** The clock retention is measured against (stream IDs are Redis's milliseconds). */
  now?: () => number;
}

/**
 * The history every replica shares: one capped stream, `<prefix>history`, each entry one event as JSON. Trimmed
 * on every write, by length (MAXLEN ~) and by age (MINID ~); `~` lets Redis trim whole nodes only, so what it
 * stores may run over either bound a little, and reading applies the age exactly. What is read back crossed a
 * boundary (another replica, another version, anyone with the Redis password), so each entry is checked against
 * the event schema and a bad one is skipped, never shown.
 */
export class RedisAuditHistory implements AuditHistory {
  readonly keeps: string;
  private readonly key: string;
  private readonly cap: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly link: RedisLink,
    private readonly logger: Logger,
    private readonly options: RedisHistoryOptions,
  ) {
    this.key = link.key('history');
    this.cap = options.cap ?? HISTORY_CAP;
    this.keeps =
      `Shared by every replica through Redis: the actions of the last ${options.days} days ` +
      `(MARKREAD_HISTORY_DAYS), at most the newest ${this.cap.toLocaleString('en-US')}.`;
  }

  accept(event: AuditEvent): void {
    // Redis down: the link has said so once; the event is in the audit log line, which is the record.
    if (!this.link.up) return void this.logger.debug({ auditId: event.id }, 'audit event not added to the history');
    const write = this.write(event).finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  async recent(limit: number): Promise<AuditEvent[]> {
    const count = Math.min(limit, this.cap);
    if (count <= 0) return [];
    const entries = await this.link.client.xrevrange(this.key, '+', String(this.oldestKept()), 'COUNT', count);
    const events: AuditEvent[] = [];
    let bad = 0;
    for (const [, fields] of entries) {
      const event = parseEntry(fields);
      if (event) events.push(event);
      else bad++;
    }
    if (bad > 0) this.logger.warn({ bad, key: this.key }, 'skipped history entries that are not audit events');
    return events;
  }

  async flush(deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    await Promise.race([Promise.all(this.pending), late]);
    clearTimeout(timer);
  }

  private async write(event: AuditEvent): Promise<void> {
    try {
      const results = await this.link.client
        .multi()
        .xadd(this.key, 'MAXLEN', '~', this.cap, '*', 'event', JSON.stringify(event))
        .xtrim(this.key, 'MINID', '~', this.oldestKept())
        .exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } catch (error) {
      this.logger.warn(
        { err: error, auditId: event.id },
        'could not add an audit event to the shared history; it is in the audit log line',
      );
    }
  }

  /** The stream ID (Redis milliseconds) before which events are past retention. */
  private oldestKept(): number {
    return Math.max(0, (this.options.now ?? Date.now)() - this.options.days * DAY_MS);
  }
}

/** One stream entry's event, if it is one: `event` holds its JSON. */
function parseEntry(fields: string[]): AuditEvent | undefined {
  let text: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'event') text = fields[i + 1];
  if (text === undefined) return undefined;
  try {
    const parsed = AuditEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
