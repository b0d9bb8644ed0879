import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { verifyUserSig } from './usersig-check.js';

/** One request as the stand-in saw it. */
export interface ImArrival {
  /** performance.now() when the request arrived. */
  at: number;
  command: string;
  query: Record<string, string>;
  body: unknown;
  /** Why the stand-in refused the request before the scripted behaviour, if it did. */
  rejected?: string;
  userSigTime?: number;
}

/** What the stand-in does with a request that passed its checks. */
export type ImReply =
  | { json: unknown; delayMs?: number }
  | { status: number; text?: string; delayMs?: number }
  | { raw: string; delayMs?: number }
  | { hangUp: true; delayMs?: number };

export type ImBehaviour = (arrival: ImArrival) => ImReply | undefined;

export interface ImStandInOptions {
  sdkAppId: number;
  identifier: string;
  secretKey: string;
  /** Accounts that exist; others answer 90008 / 90003. Absent: every account exists. */
  accounts?: Set<string>;
  now?: () => number;
}

export const ok = (extra: Record<string, unknown> = {}): ImReply => ({ json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ...extra } });
export const fail = (code: number, info = `stand-in error ${code}`): ImReply => ({ json: { ActionStatus: 'FAIL', ErrorInfo: info, ErrorCode: code } });

/**
 * A local HTTP server standing in for Tencent Cloud Chat's REST API. It checks what the real one checks (method,
 * query parameters, UserSig by the documented algorithm, body fields) and answers as the real one would; tests
 * script other answers (error codes, 502s, slow or malformed bodies) with `behave`.
 */
export class ImStandIn {
  readonly arrivals: ImArrival[] = [];
  /** Scripted behaviour, tried before the default; return undefined to fall through. */
  behave: ImBehaviour | undefined;
  /** Extra API handlers by command (issue-specific APIs plug in here). */
  readonly handlers = new Map<string, (arrival: ImArrival) => ImReply>();
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(readonly options: ImStandInOptions) {
    this.handlers.set('v4/openim/admin_set_msg_read', (a) => this.adminSetMsgRead(a));
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/`;
  }

  /** Arrivals of one API (by default admin_set_msg_read) that passed the stand-in's checks. */
  accepted(command = 'v4/openim/admin_set_msg_read'): ImArrival[] {
    return this.arrivals.filter((a) => a.command === command && a.rejected === undefined);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const arrival: ImArrival = { at: performance.now(), command: url.pathname.replace(/^\/+/, ''), query: Object.fromEntries(url.searchParams), body: undefined };
    this.arrivals.push(arrival);
    const refuse = (reply: ImReply, why: string) => {
      arrival.rejected = why;
      return this.reply(res, reply);
    };
    if (req.method !== 'POST') return refuse({ status: 405 }, 'not POST');
    const handler = this.handlers.get(arrival.command);
    if (!handler) return refuse({ status: 404 }, `unknown API ${arrival.command}`);
    const q = arrival.query;
    const expectedKeys = ['contenttype', 'identifier', 'random', 'sdkappid', 'usersig'];
    if (Object.keys(q).sort().join() !== expectedKeys.join()) return refuse(fail(60002, 'query parameters wrong'), `query keys ${Object.keys(q).join()}`);
    if (q.contenttype !== 'json') return refuse(fail(60002, 'contenttype must be json'), 'contenttype');
    if (!/^\d{1,10}$/.test(q.random ?? '') || Number(q.random) > 0xffffffff) return refuse(fail(60002, 'random out of range'), `random ${q.random}`);
    if (q.sdkappid !== String(this.options.sdkAppId)) return refuse(fail(70016, 'sdkappid not found'), 'sdkappid');
    const verdict = verifyUserSig(q.usersig ?? '', {
      sdkAppId: this.options.sdkAppId,
      identifier: q.identifier ?? '',
      secretKey: this.options.secretKey,
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (!verdict.ok) return refuse(fail(verdict.errorCode, verdict.reason), verdict.reason);
    arrival.userSigTime = verdict.time;
    if (q.identifier !== this.options.identifier) return refuse(fail(60010, 'identifier is not an App admin'), 'identifier');
    try {
      arrival.body = JSON.parse(text);
    } catch {
      return refuse(fail(90001, 'JSON parse error'), 'body not JSON');
    }
    const scripted = this.behave?.(arrival);
    return this.reply(res, scripted ?? handler(arrival));
  }

  private adminSetMsgRead(arrival: ImArrival): ImReply {
    const body = arrival.body as Record<string, unknown>;
    const keys = Object.keys(body).sort();
    const allowed = ['MsgReadTime', 'Peer_Account', 'Report_Account'];
    if (keys.some((k) => !allowed.includes(k))) return fail(90001, `unexpected fields ${keys.join()}`);
    if (typeof body.Report_Account !== 'string' || !this.exists(body.Report_Account)) return fail(90008, 'Report_Account missing or not found');
    if (typeof body.Peer_Account !== 'string' || !this.exists(body.Peer_Account)) return fail(90003, 'Peer_Account missing or not found');
    if (body.MsgReadTime !== undefined && !Number.isInteger(body.MsgReadTime)) return fail(90001, 'MsgReadTime must be an integer');
    return ok();
  }

  private exists(account: string): boolean {
    return this.options.accounts === undefined || this.options.accounts.has(account);
  }

  private async reply(res: ServerResponse, reply: ImReply): Promise<void> {
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    if ('hangUp' in reply) {
      res.socket?.destroy();
      return;
    }
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'text/html' }).end(reply.text ?? `<html>${reply.status}</html>`);
      return;
    }
    const text = 'raw' in reply ? reply.raw : JSON.stringify(reply.json);
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }
}
