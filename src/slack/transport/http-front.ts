import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BufferedIncomingMessage } from '@slack/bolt';
import { systemEvent } from '../../audit/scope.js';
import type { AuditSink } from '../../audit/sink.js';
import type { Logger } from '../../log/logger.js';
import type { ReplayGuard } from '../../stores/replay-guard.js';
import type { Routes } from './probes.js';

export interface HttpFrontOptions {
  signingSecret: string;
  /** Bodies larger than this are refused with 413 before they are read. */
  maxBodyBytes: number;
  /** Requests being read or verified at once; more get 503 at once. */
  maxUnverified: number;
  replay: ReplayGuard;
  logger: Logger;
  /** Forged and replayed requests are recorded here. */
  audit: AuditSink;
  /** Bolt's HTTPReceiver request listener: it gets the request with the verified body already buffered. */
  bolt: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** GET routes served before anything else (health probes). */
  routes: Routes;
  now?: () => number;
  /** Told how long each request handed to Bolt took, from its arrival to its response finished (the metrics). */
  onAck?: (seconds: number) => void;
}

/** Slack's window for a signed request's timestamp, in the past; Bolt's rule too. */
const MAX_AGE_S = 5 * 60;
/** A timestamp further in the future than this is not a clock difference but a forged or replayed request. */
const MAX_FUTURE_S = 60;
/** A signature is remembered as long as its request could still pass the age check. */
const REPLAY_TTL_MS = (MAX_AGE_S + MAX_FUTURE_S) * 1000;

/**
 * The HTTP server in HTTP mode, in front of Bolt's receiver. Everything Slack's payloads never need is refused
 * before any work: a body over the size limit (413, never buffered), more unverified requests than the limit
 * (503), a bad or stale signature, a timestamp from the future (401), and a signature already accepted once
 * (acknowledged with an empty 200 and logged, not acted on again).
 */
export function createHttpFront(options: HttpFrontOptions): Server {
  const front = new HttpFront(options);
  return createServer((req, res) => {
    front.handle(req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, 'request handling failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

class HttpFront {
  /** Requests being read or verified now. */
  private unverified = 0;

  constructor(private readonly o: HttpFrontOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = this.o.routes[path];
    if (req.method === 'GET' && route) return route(res);
    if (req.method !== 'POST' || path !== '/slack/events') return refuse(req, res, 404, 'not found');
    const arrived = performance.now();
    const body = await this.readBody(req, res);
    if (!body) return;
    if (isSslCheck(req, body)) return void res.writeHead(200).end();
    if (!(await this.admits(req, res, body))) return;
    (req as BufferedIncomingMessage).rawBody = body;
    const { onAck } = this.o;
    if (onAck) res.once('finish', () => onAck((performance.now() - arrived) / 1000));
    try {
      await this.o.bolt(req, res);
    } catch (error) {
      this.o.logger.error({ err: error }, 'Bolt could not handle a request');
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  /** The body, bounded in size and in how many are read at once; undefined when the request is answered already. */
  private async readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const { maxBodyBytes, maxUnverified } = this.o;
    const tooLarge = `body larger than ${maxBodyBytes} bytes`;
    if (Number(req.headers['content-length']) > maxBodyBytes) return void refuse(req, res, 413, tooLarge);
    if (this.unverified >= maxUnverified) return void refuse(req, res, 503, 'busy', { 'retry-after': '1' });
    this.unverified++;
    let body: Buffer | undefined;
    try {
      body = await readBounded(req, maxBodyBytes);
    } catch {
      return void res.destroy();
    } finally {
      this.unverified--;
    }
    if (!body) refuse(req, res, 413, tooLarge);
    return body;
  }

  /** Only a request Slack signed just now, and only once: anything else is answered here and goes no further. */
  private async admits(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> {
    const verdict = verify(this.o.signingSecret, req, body, Math.floor((this.o.now ?? Date.now)() / 1000));
    if (verdict !== 'ok') {
      this.o.audit.record(
        systemEvent('refused', verdict, `a request to /slack/events from ${req.socket.remoteAddress}`),
      );
      refuse(req, res, 401, 'unauthorized');
      return false;
    }
    const signature = req.headers['x-slack-signature'] as string;
    if (await this.o.replay.firstSeen(signature, REPLAY_TTL_MS)) return true;
    const at = req.headers['x-slack-request-timestamp'];
    this.o.audit.record(
      systemEvent('replayed', 'ignored', `a signed request of ${at} arrived again; acked, not acted on`),
    );
    res.writeHead(200).end();
    return false;
  }
}

/** Answers and closes: whatever is left of the body is never read, the connection goes. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers })
    .end(`${text}\n`);
  res.once('finish', () => req.destroy());
}

/** The body, or undefined as soon as it grows past `max` (the rest is never read). */
async function readBounded(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Slack's ssl_check: an unsigned form post that only wants a 200; its body is never acted on. */
function isSslCheck(req: IncomingMessage, body: Buffer): boolean {
  return (
    req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
    new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1'
  );
}

type Verdict = 'ok' | 'missing signature headers' | 'stale timestamp' | 'timestamp in the future' | 'bad signature';

/**
 * Our own check rather than Bolt's verifySlackRequest: Bolt accepts any timestamp in the future, and a
 * future-dated request would stay valid longer than the replay record that is kept for the signature window.
 */
function verify(secret: string, req: IncomingMessage, body: Buffer, nowS: number): Verdict {
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp))
    return 'missing signature headers';
  const ts = Number(timestamp);
  if (ts < nowS - MAX_AGE_S) return 'stale timestamp';
  if (ts > nowS + MAX_FUTURE_S) return 'timestamp in the future';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad signature';
}
