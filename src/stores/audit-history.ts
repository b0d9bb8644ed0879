import type { AuditEvent } from '../audit/event.js';

/**
 * The recent headline events, newest first: what the App Home tab lists. Written through the audit sink's history
 * outlet (src/audit/history-outlet.ts), read when someone opens the Home tab.
 */
export interface AuditHistory {
  /** Keeps one event; returns at once and never throws (a shared history writes in the background). */
  accept(event: AuditEvent): void;
  /** At most `limit` events, the newest first. Rejects when the history cannot be read (Redis down). */
  recent(limit: number): Promise<AuditEvent[]>;
  /** Where the history lives and what it forgets, in plain words: the Home tab says it under the list. */
  readonly keeps: string;
  /** Waits for writes still under way, until `deadline` (epoch ms). */
  flush?(deadline: number): Promise<void>;
}

/** Events the in-memory history keeps by default: a Home tab shows 20, so this is several screens of look-back. */
export const MEMORY_HISTORY_SIZE = 200;

/**
 * The default without REDIS_URL: a ring buffer of this process's last `size` events. Honest limit: it is not
 * shared (a replica shows only what it handled itself) and a restart loses it; the log line keeps everything.
 */
export class MemoryAuditHistory implements AuditHistory {
  readonly keeps: string;
  private readonly ring: AuditEvent[] = [];
  /** Where the next event goes once the ring is full. */
  private next = 0;

  constructor(private readonly size = MEMORY_HISTORY_SIZE) {
    this.keeps =
      `Kept in this process’s memory: the last ${size} actions it handled, *lost when markread restarts*, ` +
      'and not shared with other replicas. Set REDIS_URL to keep a shared history.';
  }

  accept(event: AuditEvent): void {
    if (this.ring.length < this.size) this.ring.push(event);
    else this.ring[this.next] = event;
    this.next = (this.next + 1) % this.size;
  }

  async recent(limit: number): Promise<AuditEvent[]> {
    // Oldest first is the ring from `next` on (once full), then the start; reversed for newest first.
    const ordered =
      this.ring.length < this.size ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(-Math.max(0, limit)).reverse();
  }
}
