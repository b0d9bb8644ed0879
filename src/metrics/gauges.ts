import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState } from '../im/circuit-breaker.js';
import type { ImMetrics } from './im-observer.js';

/** What the gauges read at scrape time: existing state, nothing kept twice. */
export interface AppState {
  /** Socket Mode, receiving: whether a connection to Slack is open now. Absent in HTTP mode and on a worker. */
  slackConnected?: () => boolean;
  /** The work queue of this process: running, and waiting for a slot. */
  queue: () => { running: number; waiting: number };
  /** MARKREAD_AUDIT_CHANNEL's queue, when set. */
  auditChannel?: () => { depth: number; dropped: number; posted: number };
  /** Each IM app's hosts, so a breaker never told of shows as closed. */
  imHosts: { app: string; hosts: string[] }[];
}

const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half-open'];

/**
 * The gauges (and the audit channel's running totals), each filled in by its collect() when scraped; one that
 * does not apply (the Slack connection in HTTP mode, the audit channel unset) is not registered at all.
 */
export function registerGauges(registry: Registry, state: AppState, im: ImMetrics): void {
  const registers = [registry];
  const { slackConnected, auditChannel } = state;
  if (slackConnected)
    new Gauge({
      name: 'markread_slack_connected',
      help: 'Socket Mode: 1 while a connection to Slack is open, else 0',
      registers,
      collect() {
        this.set(slackConnected() ? 1 : 0);
      },
    });
  new Gauge({
    name: 'markread_im_circuit_state',
    help: 'Each IM host’s circuit breaker: 1 for its current state, 0 for the others',
    labelNames: ['app', 'host', 'state'],
    registers,
    collect() {
      for (const { app, hosts } of state.imHosts) {
        const told = im.breakers.get(app);
        for (const host of new Set([...hosts, ...(told?.keys() ?? [])])) {
          const current = told?.get(host) ?? 'closed';
          for (const s of BREAKER_STATES) this.set({ app, host, state: s }, s === current ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'markread_work_queue_jobs',
    help: 'Acked work in this process: running, and waiting for a slot',
    labelNames: ['state'],
    registers,
    collect() {
      const depth = state.queue();
      this.set({ state: 'running' }, depth.running);
      this.set({ state: 'waiting' }, depth.waiting);
    },
  });
  if (auditChannel) registerAuditChannel(registry, auditChannel);
}

/** The audit channel's queue: its depth now, and what it dropped and posted since start. */
function registerAuditChannel(
  registry: Registry,
  stats: () => { depth: number; dropped: number; posted: number },
): void {
  const registers = [registry];
  new Gauge({
    name: 'markread_audit_channel_queue_depth',
    help: 'Audit channel posts waiting to be sent (MARKREAD_AUDIT_CHANNEL)',
    registers,
    collect() {
      this.set(stats().depth);
    },
  });
  for (const [field, help] of [
    ['dropped', 'Audit channel posts dropped (queue full, failed, refused or closed); the log line still has them'],
    ['posted', 'Audit channel posts sent'],
  ] as const)
    new Counter({
      name: `markread_audit_channel_${field}_total`,
      help,
      registers,
      // The queue keeps the running total; the counter shows it as it is.
      collect() {
        this.reset();
        this.inc(stats()[field]);
      },
    });
}
