import { randomUUID } from 'node:crypto';
import type { AuditDraft, AuditEvent } from './event.js';

/** Where audit events are written from: the domain, the Slack flows, the CLI. Never throws, never waits. */
export interface AuditSink {
  record(draft: AuditDraft): AuditEvent;
}

/** One place events go: the log line, the audit channel, the history. */
export interface AuditOutlet {
  readonly name: string;
  /** Takes the event without waiting; an outlet that posts somewhere queues it. */
  accept(event: AuditEvent): void;
  /** Delivers what is queued, giving up at `deadline` (epoch ms). */
  flush?(deadline: number): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The one sink of a process: stamps each event with an id and the time, adds the thread's link, and fans it out.
 * An outlet that throws is counted and skipped: auditing never breaks the work it records, and the log line
 * (the first outlet) has every event before any other outlet is tried.
 */
export class Audit implements AuditSink {
  /** Outlet errors since start, by outlet. */
  readonly failures = new Map<string, number>();
  /** Builds a thread's link once the workspace's address is known (auth.test at start-up). */
  threadLink: ((channel: string, ts: string) => string) | undefined;

  constructor(
    private readonly outlets: AuditOutlet[],
    private readonly onFailure: (outlet: string, error: unknown) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(draft: AuditDraft): AuditEvent {
    const event: AuditEvent = { id: randomUUID(), at: this.now().toISOString(), ...draft };
    const { thread } = event;
    if (thread?.ts !== undefined && thread.link === undefined && this.threadLink)
      event.thread = { ...thread, link: this.threadLink(thread.channel, thread.ts) };
    for (const outlet of this.outlets) {
      try {
        outlet.accept(event);
      } catch (error) {
        this.failures.set(outlet.name, (this.failures.get(outlet.name) ?? 0) + 1);
        this.onFailure(outlet.name, error);
      }
    }
    return event;
  }

  /** Adds an outlet (the audit channel, once Slack is known to be reachable). */
  add(outlet: AuditOutlet): void {
    this.outlets.push(outlet);
  }

  /** Delivers what the outlets hold, all of them by `deadline`. */
  async flush(deadline: number): Promise<void> {
    await Promise.all(this.outlets.map((o) => o.flush?.(deadline).catch(() => {})));
  }

  async close(): Promise<void> {
    await Promise.all(this.outlets.map((o) => o.close?.().catch(() => {})));
  }
}

/** A sink for code that records nothing (a test of something else, a tool). */
export const noAudit: AuditSink = {
  record: (draft) => ({ id: 'none', at: new Date(0).toISOString(), ...draft }),
};

/** A Slack thread's address: https://<workspace>.slack.com/archives/<channel>/p<ts without the dot>. */
export function slackThreadLink(workspaceUrl: string, channel: string, ts: string): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
}
