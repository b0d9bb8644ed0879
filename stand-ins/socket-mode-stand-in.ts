import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface EnvelopeAck {
  envelopeId: string;
  payload: Record<string, unknown> | undefined;
  /** ms from sending the envelope to its ack. */
  ms: number;
}

/** The kinds of envelope Slack sends markread: commands, interactivity, and Events API events (app_home_opened). */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** How apps.connections.open fails while `failOpen` is set. */
export type OpenFailure =
  | { status: 503 }
  | { error: 'invalid_auth' | 'missing_scope' | 'ratelimited' | 'internal_error' };

/**
 * A local stand-in for Slack's Socket Mode. `apps.connections.open` (served by the Slack stand-in, which calls
 * `open()` here after checking the app token) answers a `ws://` URL on loopback; a connection gets `hello`,
 * then envelopes; each envelope must be acked by its `envelope_id` within 3 s, as with Slack. Tests can send
 * `disconnect` (refresh_requested, warning), drop every connection, or make apps.connections.open fail.
 */
export class SocketModeStandIn {
  private server: WebSocketServer | undefined;
  private readonly open = new Set<WebSocket>();
  private readonly pending = new Map<
    string,
    { sent: number; resolve: (ack: EnvelopeAck | undefined) => void; timer: NodeJS.Timeout }
  >();
  private next = 0;
  /** Every apps.connections.open answered, and every WebSocket accepted. */
  opens = 0;
  connections = 0;
  failOpen: OpenFailure | undefined;

  async start(): Promise<void> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(this.server, 'listening');
    this.server.on('connection', (ws) => {
      this.connections++;
      this.open.add(ws);
      ws.on('close', () => this.open.delete(ws));
      ws.on('message', (data) => this.onAck(String(data)));
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.open.size,
          debug_info: { host: 'stand-in' },
          connection_info: { app_id: 'A0MARKREAD' },
        }),
      );
    });
  }

  /** What apps.connections.open answers (the Slack stand-in has checked the token). */
  openConnection(): { status: number; body: Record<string, unknown> } {
    this.opens++;
    if (this.failOpen && 'status' in this.failOpen) return { status: this.failOpen.status, body: { ok: false } };
    if (this.failOpen) return { status: 200, body: { ok: false, error: this.failOpen.error } };
    const port = ((this.server as WebSocketServer).address() as AddressInfo).port;
    return { status: 200, body: { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}` } };
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Sends one envelope on an open connection (the newest); resolves with its ack, or undefined after 3 s. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>): Promise<EnvelopeAck | undefined> {
    const ws = [...this.open].at(-1);
    if (!ws) return Promise.resolve(undefined);
    const envelopeId = `env-${++this.next}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve(undefined);
      }, 3_000);
      this.pending.set(envelopeId, { sent: performance.now(), resolve, timer });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: true,
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
    });
  }

  /**
   * The same envelope (one envelope_id) on every open connection, as a duplicate delivery across replicas looks;
   * resolves with every ack that came within 3 s.
   */
  async deliverToAll(type: EnvelopeType, payload: Record<string, unknown>): Promise<EnvelopeAck[]> {
    const envelopeId = `env-${++this.next}`;
    const acks: EnvelopeAck[] = [];
    const sent = performance.now();
    const listeners = [...this.open].map((ws) => {
      const onMessage = (data: unknown) => {
        const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (ack.envelope_id === envelopeId)
          acks.push({ envelopeId, payload: ack.payload, ms: performance.now() - sent });
      };
      ws.on('message', onMessage);
      ws.send(
        JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true, retry_attempt: 0 }),
      );
      return () => ws.off('message', onMessage);
    });
    await new Promise((r) => setTimeout(r, 3_000));
    for (const off of listeners) off();
    return acks;
  }

  /** Slack's refresh: a `disconnect` message on every open connection, each closed `closeAfterMs` later. */
  disconnect(reason = 'refresh_requested', closeAfterMs = 5_000): void {
    for (const ws of this.open) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'stand-in' } }));
      setTimeout(() => ws.close(1000), closeAfterMs).unref();
    }
  }

  /** An outage: every connection cut without a word. */
  dropAll(): void {
    for (const ws of this.open) ws.terminate();
  }

  async stop(): Promise<void> {
    for (const ws of this.open) ws.terminate();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onAck(text: string): void {
    let message: { envelope_id?: string; payload?: Record<string, unknown> };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const pending = message.envelope_id ? this.pending.get(message.envelope_id) : undefined;
    if (!pending || !message.envelope_id) return;
    clearTimeout(pending.timer);
    this.pending.delete(message.envelope_id);
    pending.resolve({
      envelopeId: message.envelope_id,
      payload: message.payload,
      ms: performance.now() - pending.sent,
    });
  }
}
