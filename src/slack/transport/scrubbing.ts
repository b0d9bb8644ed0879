import { parse, stringify } from 'node:querystring';
import type { App } from '@slack/bolt';
import { Agent, request } from 'undici';
import type { Redactor } from '../../log/redactor.js';

type Fetch = typeof globalThis.fetch;

/**
 * The Slack side of the redaction boundary: every Web API request body (chat.postMessage, chat.update,
 * views.open, …) and every ack passes through the one Redactor before it leaves, whichever listener built it.
 * Message builders still escape what they echo; this is what guarantees no secret leaves even if one forgets.
 */
export function scrubbingFetch(redactor: Redactor, base: Fetch = lightFetch()): Fetch {
  return (input, init) => {
    if (init && typeof init.body === 'string') {
      const type = new Headers(init.headers).get('content-type') ?? '';
      init = { ...init, body: scrubBody(redactor, init.body, type) };
    }
    return base(input, init);
  };
}

function scrubBody(redactor: Redactor, body: string, contentType: string): string {
  if (contentType.includes('application/json')) return JSON.stringify(redactor.scrubDeep(JSON.parse(body) as unknown));
  // Form bodies: values are scrubbed decoded (a secret could be percent-encoded), never the token field itself.
  const fields = parse(body);
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'token' || value === undefined) continue;
    fields[key] = Array.isArray(value) ? value.map((v) => redactor.scrub(v)) : redactor.scrub(value);
  }
  return stringify(fields);
}

/**
 * Acks are written by Bolt's receivers (an HTTP response, or a Socket Mode envelope reply), out of our reach;
 * App.processEvent is the one door every event and its ack pass through in both modes, so the ack is wrapped
 * there.
 */
export function scrubAcks(app: App, redactor: Redactor): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) =>
    processEvent({
      ...event,
      ack: (response?: unknown) => event.ack(response === undefined ? undefined : redactor.scrubDeep(response)),
    });
}

/**
 * The subset of fetch the Web API client uses (POST a string body; status, headers, text/json/arrayBuffer), on
 * undici's request() with a keep-alive pool. WHATWG fetch allocates streams and wrappers per call: under a burst
 * of commands, each with three Slack calls, that garbage competes with acks and grows the heap.
 */
export function lightFetch(dispatcher = new Agent({ keepAliveTimeout: 30_000 })): Fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const res = await request(url, {
      dispatcher,
      method: (init?.method ?? 'GET') as 'POST',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal ?? undefined,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(res.headers))
      if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
    return {
      status: res.statusCode,
      statusText: '',
      ok: res.statusCode >= 200 && res.statusCode < 300,
      url,
      headers: responseHeaders,
      text: async () => body.toString('utf8'),
      json: async () => JSON.parse(body.toString('utf8')) as unknown,
      arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
    } as unknown as Response;
  }) as Fetch;
}
