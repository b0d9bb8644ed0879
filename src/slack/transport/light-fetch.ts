import { Agent, request } from 'undici';

type Fetch = typeof globalThis.fetch;

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
