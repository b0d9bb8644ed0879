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

/** One conversation in an account's list, as the stand-in keeps it. */
export interface StandInConversation {
  peer: string;
  /** 1 one-to-one, 2 group. */
  type: 1 | 2;
  unread: number;
  msgTime: number;
  pinned?: boolean;
  /** Standard mark positions set on it (1 starred, 2 marked unread, 3 folded, 4 hidden). */
  marks?: number[];
  /** A StandardMark served as it is, whatever `marks` says, and left as it is by mark_contact: odd server strings. */
  standardMark?: string;
}

export const ok = (extra: Record<string, unknown> = {}): ImReply => ({
  json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ...extra },
});
export const fail = (code: number, info = `stand-in error ${code}`): ImReply => ({
  json: { ActionStatus: 'FAIL', ErrorInfo: info, ErrorCode: code },
});

/** The request line as a gateway would print it: path and the full query, UserSig included. */
export const requestUrlOf = (a: ImArrival): string => `/${a.command}?${new URLSearchParams(a.query).toString()}`;

/**
 * A misbehaving gateway in front of the API that echoes the full request URL (and the bare UserSig) back: as an
 * unknown error code's ErrorInfo for the mark and count APIs, and as a non-JSON page for the conversation list.
 * Whatever markread shows of these answers must not carry the UserSig.
 */
export const echoRequestUrl: ImBehaviour = (a) => {
  const echoed = `gateway refused ${requestUrlOf(a)} (sig ${a.query.usersig}) <!channel> &amp; \u202e`;
  if (a.command === 'v4/recentcontact/get_list') return { raw: `<html><body>502 Bad Gateway: ${echoed}</body></html>` };
  return fail(99999, echoed);
};

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
  /** account → its conversations (get_list, unread counts; admin_set_msg_read zeroes a count). */
  readonly conversations = new Map<string, StandInConversation[]>();
  /** Items per get_list page. */
  pageSize = 100;
  /**
   * 'full' has conversation marks; 'basic' answers 51013 to the mark APIs, as an edition without them does.
   * `ignoreClearMark` models a server that reads ClearMark differently from the docs: it answers OK and keeps
   * the mark, so only a second reading shows the clear did not take.
   */
  edition: 'full' | 'basic' = 'full';
  ignoreClearMark = false;
  /** Which end of StandardMark holds bit 0 (undocumented; markread must read marks right either way). */
  markBitOrder: 'msb-first' | 'lsb-first' = 'msb-first';
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(readonly options: ImStandInOptions) {
    this.handlers.set('v4/openim/admin_set_msg_read', (a) => this.adminSetMsgRead(a));
    this.handlers.set('v4/openim/get_c2c_unread_msg_num', (a) => this.unreadCounts(a));
    this.handlers.set('v4/recentcontact/get_list', (a) => this.getList(a));
    this.handlers.set('v4/im_open_login_svc/account_check', (a) => this.accountCheck(a));
    this.handlers.set('v4/recentcontact/search_contact_group', (a) => this.searchContactGroup(a));
    this.handlers.set('v4/recentcontact/mark_contact', (a) => this.markContact(a));
  }

  /** account_check: ≤ 100 CheckItem per call, 100 calls/s (more in a sliding second answer 60007). */
  private accountCheck(arrival: ImArrival): ImReply {
    const recent = this.arrivals.filter(
      (a) => a.command === arrival.command && a.rejected === undefined && a.at > arrival.at - 1_000,
    );
    if (recent.length > 100) return fail(60007, 'account_check: over 100 calls in one second');
    const body = arrival.body as { CheckItem?: unknown };
    if (!Array.isArray(body.CheckItem) || body.CheckItem.length === 0 || body.CheckItem.length > 100)
      return fail(90001, 'CheckItem must hold 1 to 100 items');
    const items = body.CheckItem as Array<{ UserID?: unknown }>;
    if (items.some((i) => typeof i.UserID !== 'string')) return fail(90001, 'each CheckItem needs a UserID');
    return ok({
      ResultItem: items.map(({ UserID }) => ({
        UserID,
        ResultCode: 0,
        ResultInfo: '',
        AccountStatus: this.exists(UserID as string) ? 'Imported' : 'NotImported',
      })),
    });
  }

  /**
   * The standard marks as a bit string: position p (1-based, as the docs number them) is bit p − 1, as the client
   * SDKs' `1 << (n − 1)` masks say. Which end holds bit 0 is undocumented, so the stand-in writes either: a binary
   * number ('msb-first', the default) or the same digits reversed ('lsb-first').
   */
  static standardMark(marks: number[] = [], order: 'msb-first' | 'lsb-first' = 'msb-first'): string {
    let bits = 0;
    for (const p of marks) bits |= 1 << (p - 1);
    const number = bits.toString(2).padStart(9, '0');
    return order === 'msb-first' ? number : [...number].reverse().join('');
  }

  private contactOf(item: unknown): { type: number; id: string } | undefined {
    const c = item as { Type?: unknown; To_Account?: unknown; ToGroupId?: unknown };
    if (c?.Type === 1 && typeof c.To_Account === 'string') return { type: 1, id: c.To_Account };
    if (c?.Type === 2 && typeof c.ToGroupId === 'string') return { type: 2, id: c.ToGroupId };
    return undefined;
  }

  /** What both conversation-mark APIs refuse: an unknown account, an edition without marks, a list of 0 or > `max`. */
  private refuseMarkCall(body: unknown, list: string, max: number): ImReply | undefined {
    const b = body as Record<string, unknown>;
    if (typeof b.From_Account !== 'string' || !this.exists(b.From_Account))
      return fail(90008, 'From_Account missing or not found');
    if (this.edition === 'basic') return fail(51013, 'the edition does not support conversation marks');
    const items = b[list];
    if (!Array.isArray(items) || items.length === 0 || items.length > max)
      return fail(51006, `${list} must hold 1 to ${max} items`);
    return undefined;
  }

  /** search_contact_group: ≤ 300 ContactItem; answers the marks of those in the list. 51013 on a basic edition. */
  private searchContactGroup(arrival: ImArrival): ImReply {
    const body = arrival.body as { From_Account: string; ContactItem: unknown[] };
    const refused = this.refuseMarkCall(arrival.body, 'ContactItem', 300);
    if (refused) return refused;
    const wanted = body.ContactItem.map((i) => this.contactOf(i));
    if (wanted.some((w) => w === undefined)) return fail(90001, 'ContactItem needs Type and To_Account/ToGroupId');
    const list = this.conversations.get(body.From_Account) ?? [];
    const found = wanted.flatMap((w) => {
      const c = list.find((x) => x.type === w?.type && x.peer === w.id);
      if (!c) return [];
      return [
        {
          Type: c.type,
          ...(c.type === 1 ? { To_Account: c.peer } : { ToGroupId: c.peer }),
          StandardMark: c.standardMark ?? ImStandIn.standardMark(c.marks, this.markBitOrder),
          CustomMark: '',
        },
      ];
    });
    return ok({ ContactItem: found });
  }

  /** mark_contact: ≤ 100 MarkItem, OptType 1|2|3, per-item results. 51013 on a basic edition. */
  private markContact(arrival: ImArrival): ImReply {
    const body = arrival.body as { From_Account: string; MarkItem: unknown[] };
    const refused = this.refuseMarkCall(arrival.body, 'MarkItem', 100);
    if (refused) return refused;
    const list = this.conversations.get(body.From_Account) ?? [];
    const results = [];
    for (const raw of body.MarkItem as Array<Record<string, unknown>>) {
      const contact = this.contactOf(raw.ContactItem);
      const positions = (key: string) =>
        raw[key] === undefined
          ? []
          : Array.isArray(raw[key]) && (raw[key] as unknown[]).every((p) => Number.isInteger(p) && (p as number) >= 1)
            ? (raw[key] as number[])
            : undefined;
      const set = positions('SetMark');
      const clear = positions('ClearMark');
      if (![1, 2, 3].includes(raw.OptType as number) || !contact || !set || !clear)
        return fail(90001, 'MarkItem needs OptType 1-3, a ContactItem and integer SetMark/ClearMark');
      const c = list.find((x) => x.type === contact.type && x.peer === contact.id);
      if (!c) {
        results.push({ ContactItem: raw.ContactItem, ResultCode: 51007, ResultInfo: 'no such conversation' });
        continue;
      }
      const marks = new Set(c.marks ?? []);
      for (const p of set) marks.add(p);
      if (!this.ignoreClearMark) for (const p of clear) marks.delete(p);
      c.marks = [...marks];
      results.push({ ContactItem: raw.ContactItem, ResultCode: 0, ResultInfo: '' });
    }
    return ok({ ResultItem: results });
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
    // Timestamped as soon as the request line and headers are in, before the body is read.
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const arrival: ImArrival = {
      at,
      command: url.pathname.replace(/^\/+/, ''),
      query: Object.fromEntries(url.searchParams),
      body: undefined,
    };
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
    if (Object.keys(q).sort().join() !== expectedKeys.join())
      return refuse(fail(60002, 'query parameters wrong'), `query keys ${Object.keys(q).join()}`);
    if (q.contenttype !== 'json') return refuse(fail(60002, 'contenttype must be json'), 'contenttype');
    if (!/^\d{1,10}$/.test(q.random ?? '') || Number(q.random) > 0xffffffff)
      return refuse(fail(60002, 'random out of range'), `random ${q.random}`);
    if (q.sdkappid !== String(this.options.sdkAppId)) return refuse(fail(70016, 'sdkappid not found'), 'sdkappid');
    const verdict = verifyUserSig(q.usersig ?? '', {
      sdkAppId: this.options.sdkAppId,
      identifier: q.identifier ?? '',
      secretKey: this.options.secretKey,
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (!verdict.ok) return refuse(fail(verdict.errorCode, verdict.reason), verdict.reason);
    arrival.userSigTime = verdict.time;
    if (q.identifier !== this.options.identifier)
      return refuse(fail(60010, 'identifier is not an App admin'), 'identifier');
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
    if (typeof body.Report_Account !== 'string' || !this.exists(body.Report_Account))
      return fail(90008, 'Report_Account missing or not found');
    if (typeof body.Peer_Account !== 'string' || !this.exists(body.Peer_Account))
      return fail(90003, 'Peer_Account missing or not found');
    if (body.MsgReadTime !== undefined && !Number.isInteger(body.MsgReadTime))
      return fail(90001, 'MsgReadTime must be an integer');
    const conversation = this.conversations
      .get(body.Report_Account)
      ?.find((c) => c.type === 1 && c.peer === body.Peer_Account);
    if (conversation) conversation.unread = 0;
    return ok();
  }

  /** Gives `account` one-to-one conversations with these peers and unread counts. */
  seed(account: string, unreadByPeer: Record<string, number>): void {
    const list = this.conversations.get(account) ?? [];
    let t = 1_767_225_600;
    for (const [peer, unread] of Object.entries(unreadByPeer)) list.push({ peer, type: 1, unread, msgTime: t-- });
    this.conversations.set(account, list);
  }

  private unreadCounts(arrival: ImArrival): ImReply {
    const body = arrival.body as { To_Account?: unknown; Peer_Account?: unknown };
    if (typeof body.To_Account !== 'string' || !this.exists(body.To_Account))
      return fail(90011, 'To_Account missing or not found');
    const list = this.conversations.get(body.To_Account) ?? [];
    const c2c = list.filter((c) => c.type === 1);
    if (body.Peer_Account === undefined) {
      return ok({ AllC2CUnreadMsgNum: c2c.reduce((n, c) => n + c.unread, 0), C2CUnreadMsgNumList: [] });
    }
    if (!Array.isArray(body.Peer_Account) || body.Peer_Account.some((p) => typeof p !== 'string'))
      return fail(90001, 'Peer_Account must be an array of strings');
    if (body.Peer_Account.length > 10) return fail(90001, 'at most 10 Peer_Account per request');
    const counts: Array<{ Peer_Account: string; C2CUnreadMsgNum: number }> = [];
    const errors: Array<{ Peer_Account: string; ErrorCode: number }> = [];
    for (const peer of body.Peer_Account as string[]) {
      if (!this.exists(peer)) errors.push({ Peer_Account: peer, ErrorCode: 70107 });
      else counts.push({ Peer_Account: peer, C2CUnreadMsgNum: c2c.find((c) => c.peer === peer)?.unread ?? 0 });
    }
    return ok({
      AllC2CUnreadMsgNum: c2c.reduce((n, c) => n + c.unread, 0),
      C2CUnreadMsgNumList: counts,
      ...(errors.length ? { ErrorList: errors } : {}),
    });
  }

  /**
   * Pages pinned conversations first (TopTimeStamp/TopStartIndex), then the rest (TimeStamp/StartIndex). The
   * cursors returned must come back unchanged on the next call, as with the real API; a mismatch answers 90001.
   */
  private getList(arrival: ImArrival): ImReply {
    const body = arrival.body as Record<string, unknown>;
    if (typeof body.From_Account !== 'string' || !this.exists(body.From_Account))
      return fail(90008, 'From_Account missing or not found');
    for (const key of ['TimeStamp', 'StartIndex', 'TopTimeStamp', 'TopStartIndex']) {
      if (!Number.isInteger(body[key])) return fail(90001, `${key} must be an integer`);
    }
    const list = [...(this.conversations.get(body.From_Account) ?? [])];
    const pinned = list.filter((c) => c.pinned).sort((a, b) => b.msgTime - a.msgTime);
    const rest = list.filter((c) => !c.pinned).sort((a, b) => b.msgTime - a.msgTime);
    const top = body.TopStartIndex as number;
    const start = body.StartIndex as number;
    // A first call has all four zero; later calls echo what the previous page returned.
    const stamp = (n: number) => (n === 0 ? 0 : 1_700_000_000 + n);
    if ((body.TopTimeStamp as number) !== stamp(top) || (body.TimeStamp as number) !== stamp(start))
      return fail(90001, 'cursor does not match its time stamp');
    const item = (c: StandInConversation) => ({
      Type: c.type,
      ...(c.type === 1 ? { To_Account: c.peer } : { GroupId: c.peer }),
      MsgTime: c.msgTime,
      TopFlag: c.pinned ? 1 : 0,
    });
    const fromPinned = pinned.slice(top, top + this.pageSize);
    const fromRest = rest.slice(start, start + this.pageSize - fromPinned.length);
    const nextTop = top + fromPinned.length;
    const nextStart = start + fromRest.length;
    const complete = nextTop >= pinned.length && nextStart >= rest.length ? 1 : 0;
    return ok({
      CompleteFlag: complete,
      TimeStamp: stamp(nextStart),
      StartIndex: nextStart,
      TopTimeStamp: stamp(nextTop),
      TopStartIndex: nextTop,
      SessionItem: [...fromPinned, ...fromRest].map(item),
    });
  }

  private exists(account: string): boolean {
    return this.options.accounts === undefined || this.options.accounts.has(account);
  }

  private async reply(res: ServerResponse, reply: ImReply): Promise<void> {
    // Unref'd: a delayed answer must not keep a test process alive after the stand-in stopped.
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs).unref());
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
