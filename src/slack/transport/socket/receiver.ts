import { performance } from 'node:perf_hooks';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { WebSocket } from 'undici';
import { systemEvent } from '../../../audit/scope.js';
import type { AuditSink } from '../../../audit/sink.js';
import type { Logger } from '../../../log/logger.js';
import type { ReplayGuard } from '../../../stores/replay-guard.js';
import { ConnectionState } from './connection-state.js';
import {
  describeTokenError,
  FATAL_TOKEN_ERRORS,
  networkCause,
  StartupError,
  slackUnreachable,
} from './startup-error.js';

export interface SocketModeOptions {
  appToken: string;
  /** Web API base URL, ending in `/` (apps.connections.open lives there). */
  apiUrl: string;
  logger: Logger;
  /** Reconnect backoff: base and cap, ms. */
  backoff?: { baseMs: number; capMs: number };
  /** How long start() keeps retrying a Slack outage before it reports it. */
  startupWaitMs?: number;
  /** A connection must say hello within this long. */
  helloTimeoutMs?: number;
  state?: ConnectionState;
  /** Remembers envelope ids, so an envelope delivered to two replicas (or twice to one) is acted on once. */
  replay?: ReplayGuard;
  /** Replayed envelopes are recorded here. */
  audit?: AuditSink;
  /** Told how long each envelope took from its arrival to its ack written (the metrics). */
  onAck?: (seconds: number) => void;
}

/** Envelope ids are remembered this long: far past Slack's redelivery of an unacked envelope. */
const ENVELOPE_TTL_MS = 10 * 60_000;

interface Envelope {
  type: string;
  envelope_id?: string;
  payload?: Record<string, unknown>;
  reason?: string;
  retry_attempt?: number;
  retry_reason?: string;
}

/** apps.connections.open refused the token: retrying cannot help. */
class FatalOpenError extends Error {}

/**
 * Bolt's Socket Mode receiver, rewritten for an on-call tool:
 * - it never gives up: a lost connection is reopened with capped backoff for as long as it takes, one log line
 *   per state change (connected, lost, retrying in N s, reconnected);
 * - on Slack's `disconnect` message (sent every few hours) it opens the new connection *before* closing the
 *   old one, so nothing sent in between is lost (Slack allows up to 10 connections per app);
 * - start() reports a bad token or an unreachable Slack as one line naming the variable, never a stack;
 * - it tells /healthz the truth through ConnectionState.
 */
export class ResilientSocketModeReceiver implements Receiver {
  readonly state: ConnectionState;
  private app: App | undefined;
  private readonly sockets = new Set<WebSocket>();
  private stopping = false;
  private reconnecting = false;
  private readonly backoff: { baseMs: number; capMs: number };
  private readonly log: Logger;

  constructor(private readonly options: SocketModeOptions) {
    this.state = options.state ?? new ConnectionState();
    this.backoff = options.backoff ?? { baseMs: 1_000, capMs: 30_000 };
    this.log = options.logger.child({ component: 'socket-mode' });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const deadline = Date.now() + (this.options.startupWaitMs ?? 30_000);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connect();
        this.log.info('Socket Mode connected');
        return;
      } catch (error) {
        if (error instanceof FatalOpenError) throw new StartupError(error.message);
        const wait = this.delay(attempt);
        if (Date.now() + wait > deadline) throw slackUnreachable(this.options.apiUrl, networkCause(error));
        this.log.warn(
          { cause: networkCause(error) },
          `Slack is not reachable yet; retrying in ${Math.round(wait / 1000)} s`,
        );
        await sleep(wait);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const ws of this.sockets) ws.close(1000, 'markread is stopping');
    this.sockets.clear();
    this.state.lost();
  }

  /** Opens one more connection and resolves when Slack has said hello on it. */
  private async connect(): Promise<WebSocket> {
    const url = await this.openUrl();
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`no hello within ${this.options.helloTimeoutMs ?? 10_000} ms`));
      }, this.options.helloTimeoutMs ?? 10_000);
      const onMessage = (event: { data: unknown }) => {
        if (parse(event.data)?.type !== 'hello') return;
        clearTimeout(timer);
        ws.removeEventListener('message', onMessage);
        resolve();
      };
      ws.addEventListener('message', onMessage);
      ws.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error('the WebSocket connection failed'));
      });
      ws.addEventListener('close', () => {
        clearTimeout(timer);
        reject(new Error('the WebSocket closed before hello'));
      });
    });
    this.sockets.add(ws);
    this.state.connected();
    ws.addEventListener('message', (event) => void this.onMessage(ws, parse(event.data)));
    ws.addEventListener('close', () => this.onClose(ws));
    return ws;
  }

  private async openUrl(): Promise<string> {
    const response = await fetch(`${this.options.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.options.appToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 200) throw new Error(`apps.connections.open answered HTTP ${response.status}`);
    const body = (await response.json()) as { ok?: boolean; url?: string; error?: string };
    if (body.ok && typeof body.url === 'string') return body.url;
    const code = body.error ?? 'unknown_error';
    if (FATAL_TOKEN_ERRORS.has(code)) throw new FatalOpenError(describeTokenError('SLACK_APP_TOKEN', code));
    throw new Error(`apps.connections.open answered ${code}`);
  }

  private async onMessage(ws: WebSocket, message: Envelope | undefined): Promise<void> {
    if (!message) return;
    if (message.type === 'disconnect') {
      this.log.info(
        { reason: message.reason },
        'Slack asked to reconnect; opening a new connection before closing this one',
      );
      await this.replace(ws);
      return;
    }
    if (!message.envelope_id || !message.payload || !this.app) return;
    const arrived = performance.now();
    const envelopeId = message.envelope_id;
    // A duplicate is neither handled nor acked: the replica that has it acks it, with its answer.
    if (this.options.replay && !(await this.options.replay.firstSeen(`envelope:${envelopeId}`, ENVELOPE_TTL_MS))) {
      this.options.audit?.record(
        systemEvent('replayed', 'ignored', `envelope ${envelopeId}, already taken by this or another replica`),
      );
      return;
    }
    const event: ReceiverEvent = {
      body: message.payload,
      retryNum: message.retry_attempt,
      retryReason: message.retry_reason,
      ack: async (response?: unknown) => {
        ws.send(
          JSON.stringify(
            response === undefined ? { envelope_id: envelopeId } : { envelope_id: envelopeId, payload: response },
          ),
        );
        this.options.onAck?.((performance.now() - arrived) / 1000);
      },
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      this.log.error({ err: error, type: message.type }, 'an event from Slack could not be handled');
    }
  }

  /** Refresh: the new connection first, then the old one goes. */
  private async replace(old: WebSocket): Promise<void> {
    await this.connectRetrying('could not open a replacement connection', () => !this.stopping);
    this.sockets.delete(old);
    old.close(1000, 'replaced');
  }

  private onClose(ws: WebSocket): void {
    const wasOpen = this.sockets.delete(ws);
    if (this.stopping || !wasOpen || this.sockets.size > 0) return;
    this.state.lost();
    this.log.warn('Socket Mode connection lost; reconnecting');
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      const attempts = await this.connectRetrying('reconnect failed', () => !this.stopping && this.sockets.size === 0);
      if (attempts > 0) this.log.info({ attempts }, 'Socket Mode reconnected');
    } finally {
      this.reconnecting = false;
    }
  }

  /**
   * Opens a connection, retrying with capped backoff while `keepTrying()` holds: even a refused token is retried,
   * because once running, markread waits for a fixed token rather than exit. Resolves with the attempts it took,
   * or 0 if it stopped trying.
   */
  private async connectRetrying(failed: string, keepTrying: () => boolean): Promise<number> {
    for (let attempt = 1; keepTrying(); attempt++) {
      try {
        await this.connect();
        return attempt;
      } catch (error) {
        const wait = this.delay(attempt);
        const fatal = error instanceof FatalOpenError ? ` (${error.message})` : '';
        this.log.warn({ cause: networkCause(error) }, `${failed}${fatal}; retrying in ${Math.round(wait / 1000)} s`);
        await sleep(wait);
      }
    }
    return 0;
  }

  /** Capped exponential backoff with a little jitter; the first retry is quick. */
  private delay(attempt: number): number {
    const ceiling = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling * (0.75 + Math.random() * 0.25));
  }
}

function parse(data: unknown): Envelope | undefined {
  try {
    return JSON.parse(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8')) as Envelope;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
