import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** What the stand-in answered. */
  result?: Record<string, unknown>;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

export interface SlackStandInOptions {
  botToken: string;
  /**
   * channel → error that chat.postMessage answers there (e.g. not_in_channel). conversations.info answers
   * channel_not_found for a channel_not_found one, and a public channel the bot is not in for a not_in_channel one.
   */
  channelErrors?: Map<string, string>;
  /** channel → its first `posts` chat.postMessage calls answer HTTP 429 with `Retry-After: retryAfter` (seconds). */
  rateLimited?: Map<string, { posts: number; retryAfter: number }>;
  /** user group → members; a group mapped to a string answers that error (e.g. plan_upgrade_required). */
  usergroups?: Map<string, string[] | string>;
  /** Socket Mode: the app-level token apps.connections.open accepts, and the stand-in that serves the socket. */
  appToken?: string;
  socketMode?: { openConnection(): { status: number; body: Record<string, unknown> } };
  /** The bot token's scopes, sent as auth.test's x-oauth-scopes header (as Slack does). Default: the manifest's. */
  scopes?: string[];
  /** auth.test answers this error (e.g. token_revoked) while set. */
  authError?: string;
}

/**
 * A local stand-in for Slack's Web API (point SLACK_API_URL at `${url}api/`) and for response_url endpoints
 * (`${url}respond/<id>`). It checks the bot token, records every call, and answers like Slack: ok/ts for
 * chat.postMessage, errors such as not_in_channel where told to.
 */
export class SlackStandIn {
  readonly calls: SlackApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Each user's Home tab as last published (views.publish). */
  readonly homeViews = new Map<string, Record<string, unknown>>();
  private server: Server | undefined;
  private tsCounter = 0;
  /** chat.postMessage calls per channel, for `rateLimited`. */
  private readonly posts = new Map<string, number>();
  private waiters: Array<() => void> = [];

  constructor(readonly options: SlackStandInOptions) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${((this.server as Server).address() as AddressInfo).port}/`;
  }

  get apiUrl(): string {
    return `${this.url}api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}respond/${id}`;
  }

  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once `predicate` holds over what the stand-in has seen (checked after every request). */
  async until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('the Slack stand-in did not see what was expected in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let call: SlackApiCall | undefined;
    const json = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (call) call.result = body;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      for (const wake of this.waiters.splice(0)) wake();
    };

    if (path.startsWith('/respond/')) {
      this.responses.push({ id: path.slice('/respond/'.length), body: JSON.parse(text) as Record<string, unknown> });
      return json(200, { ok: true });
    }
    if (!path.startsWith('/api/')) return json(404, { ok: false, error: 'unknown_path' });
    const method = path.slice('/api/'.length);
    const args = parseArgs(req.headers['content-type'] ?? '', text);
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || String(args.token ?? '');
    call = { method, args, at: Date.now() };
    this.calls.push(call);
    if (method === 'apps.connections.open') {
      if (!this.options.appToken || token !== this.options.appToken || !this.options.socketMode)
        return json(200, { ok: false, error: 'invalid_auth' });
      const answer = this.options.socketMode.openConnection();
      return json(answer.status, answer.body);
    }
    if (token !== this.options.botToken) return json(200, { ok: false, error: 'invalid_auth' });
    if (method === 'auth.test' && this.options.authError)
      return json(200, { ok: false, error: this.options.authError });

    const { status, body, headers } = this.webApi(method, args);
    return json(status, body, headers);
  }

  /** The stand-in's answer to one Web API method, called with a valid bot token. */
  private webApi(method: string, args: Record<string, unknown>): Answer {
    switch (method) {
      case 'auth.test':
        return this.authTest();
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return answer(200, { ok: true, channel: args.channel, ts: args.ts });
      case 'conversations.info':
        return this.conversationInfo(String(args.channel));
      case 'views.open':
        return answer(200, { ok: true, view: { id: 'V0STANDIN' } });
      case 'views.publish':
        return this.publishHome(args);
      case 'usergroups.users.list': {
        const members = this.options.usergroups?.get(String(args.usergroup));
        if (typeof members === 'string') return answer(200, { ok: false, error: members });
        if (!members) return answer(200, { ok: false, error: 'no_such_subteam' });
        return answer(200, { ok: true, users: members });
      }
      default:
        return answer(200, { ok: false, error: 'unknown_method' });
    }
  }

  private authTest(): Answer {
    const scopes = this.options.scopes ?? [
      'commands',
      'chat:write',
      'chat:write.public',
      'usergroups:read',
      'channels:read',
      'groups:read',
    ];
    const body = {
      ok: true,
      url: 'https://stand-in.slack.com/',
      team: 'Stand-in',
      user: 'markread',
      team_id: 'T0STANDIN',
      user_id: 'U0BOT',
      bot_id: 'B0BOT',
    };
    return answer(200, body, { 'x-oauth-scopes': scopes.join(',') });
  }

  /** A 429 with Retry-After for a channel's first posts when told, the channel's error, or the posted message. */
  private postMessage(args: Record<string, unknown>): Answer {
    const channel = String(args.channel);
    const seen = (this.posts.get(channel) ?? 0) + 1;
    this.posts.set(channel, seen);
    const limit = this.options.rateLimited?.get(channel);
    if (limit && seen <= limit.posts)
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    const error = this.options.channelErrors?.get(channel) ?? metadataError(args.metadata);
    if (error) return answer(200, { ok: false, error });
    const ts = `1767225600.${String(++this.tsCounter).padStart(6, '0')}`;
    return answer(200, { ok: true, channel: args.channel, ts, message: { text: args.text, ts } });
  }

  private conversationInfo(id: string): Answer {
    const error = this.options.channelErrors?.get(id);
    if (error === 'channel_not_found') return answer(200, { ok: false, error });
    const channel = { id, name: id.toLowerCase(), is_private: false, is_archived: error === 'is_archived' };
    return answer(200, { ok: true, channel: { ...channel, is_member: error !== 'not_in_channel' } });
  }

  private publishHome(args: Record<string, unknown>): Answer {
    const view = args.view as Record<string, unknown> | undefined;
    if (typeof args.user_id !== 'string' || view?.type !== 'home')
      return answer(200, { ok: false, error: 'invalid_arguments' });
    this.homeViews.set(args.user_id, view);
    return answer(200, { ok: true, view: { id: `V0HOME${args.user_id}`, ...view } });
  }
}

const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers,
});

/**
 * Slack checks message metadata: a JSON object (the client must send it as JSON, not `[object Object]`) with an
 * `event_type` and an object `event_payload`.
 */
function metadataError(metadata: unknown): string | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null) return 'invalid_metadata_format';
  const { event_type, event_payload } = metadata as Record<string, unknown>;
  if (typeof event_type !== 'string' || typeof event_payload !== 'object' || event_payload === null)
    return 'invalid_metadata_schema';
  return undefined;
}

/** What the stand-in answers a call with. */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Slack's Web API client sends form fields (with JSON-encoded blocks) or JSON; decode either into plain values. */
function parseArgs(contentType: string, text: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
