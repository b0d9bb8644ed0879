import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AuditOutlet } from '../audit/sink.js';
import type { ImCallObserver } from '../im/observer.js';
import { MetricsAuditOutlet } from './audit-outlet.js';
import { type AppState, registerGauges } from './gauges.js';
import { ImMetrics } from './im-observer.js';

/** What Slack sent, as the received counter names it: a fixed few. */
export type RequestKind = 'command' | 'button' | 'form' | 'event' | 'other';
export type AckTransport = 'http' | 'socket';

/** Acks must be well under Slack's 3 s; the buckets are finest where a healthy ack lies. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3];

/**
 * The metrics of one app instance, in a registry of its own (not prom-client's global one: tests run several apps
 * in one process). Every label is one of a fixed few values (a kind, an outcome, an app's name, an API, an
 * ErrorCode); never a user, a peer, a token or anything a person typed.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'kind'>;
  private readonly acks: Histogram<'transport'>;
  private readonly im: ImMetrics;
  private readonly outlet: MetricsAuditOutlet;
  private watched = false;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'markread_slack_requests_total',
      help: 'Commands, button presses, form submissions and events received from Slack, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.acks = new Histogram({
      name: 'markread_ack_duration_seconds',
      help: 'From a Slack request arriving to its ack sent (HTTP: response finished; Socket Mode: ack written)',
      labelNames: ['transport'],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.im = new ImMetrics(this.registry);
    this.outlet = new MetricsAuditOutlet(this.registry);
  }

  /** The state the gauges read at each scrape: the Slack connection, the work queue, the audit channel. Once. */
  watch(state: AppState): void {
    if (this.watched) throw new Error('these metrics watch an app already: make one Metrics per app');
    this.watched = true;
    registerGauges(this.registry, state, this.im);
  }

  /** The observer of one IM app's client. */
  readonly imObserver = (app: string): ImCallObserver => this.im.observer(app);

  /** The audit sink's outlet that counts marks, IM errors, refusals and bulk runs. */
  auditOutlet(): AuditOutlet {
    return this.outlet;
  }

  received(kind: RequestKind): void {
    this.requests.inc({ kind });
  }

  ackSent(transport: AckTransport, seconds: number): void {
    this.acks.observe({ transport }, seconds);
  }

  /** The text format, ready to serve. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
