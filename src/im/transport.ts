import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher, request } from 'undici';
import { untrusted } from '../text/untrusted.js';

/** Why an attempt got no usable answer. `connect` failures (DNS, refused, connect timeout) may try the backup host. */
export type TransportFailureKind = 'connect' | 'timeout' | 'reset' | 'http-status' | 'bad-body';

export interface TransportFailure {
  kind: TransportFailureKind;
  detail: string;
}

export type TransportResult = { ok: true; json: unknown } | { ok: false; failure: TransportFailure };

/** An attempt's answer, and whether its request reached the socket (a request never written is always safe to retry). */
export type SentResult = TransportResult & { written: boolean };

/** Bodies of this API are tiny; anything bigger is not the IM API talking. */
const MAX_BODY_BYTES = 256 * 1024;

const CONNECT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * One keep-alive pool per origin (Tencent's FAQ asks for keep-alive), with no cap on connections: the pacer,
 * not the pool, decides when a request leaves, and a capped pool would queue requests and then release them in
 * a burst over the rate limit.
 */
export function createDispatcher(connectTimeoutMs: number): Dispatcher {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connect: { timeout: connectTimeoutMs } });
}

/** POSTs a JSON body and returns the parsed JSON answer, or why there is none. Never throws. */
export async function postJson(
  dispatcher: Dispatcher,
  url: URL,
  body: string,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<TransportResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onCancel = () => controller.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  try {
    const response = await request(url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: controller.signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { ok: false, failure: { kind: 'http-status', detail: `HTTP ${response.statusCode}` } };
    }
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        controller.abort();
        return { ok: false, failure: { kind: 'bad-body', detail: `answer larger than ${MAX_BODY_BYTES} bytes` } };
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return { ok: true, json: JSON.parse(text) };
    } catch {
      return {
        ok: false,
        failure: {
          kind: 'bad-body',
          detail: `answer is not JSON (${text.length} bytes starting ${untrusted(text.slice(0, 60), 60)})`,
        },
      };
    }
  } catch (error) {
    if (cancel?.aborted)
      return {
        ok: false,
        failure: { kind: 'reset', detail: 'cancelled before an answer (deadline, stop or shutdown)' },
      };
    if (controller.signal.aborted)
      return { ok: false, failure: { kind: 'timeout', detail: `no answer within ${timeoutMs} ms` } };
    return { ok: false, failure: classify(error) };
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

function classify(error: unknown): TransportFailure {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const detail = untrusted(`${code ? `${code}: ` : ''}${err.cause?.message ?? err.message ?? String(error)}`, 200);
  if (CONNECT_CODES.has(code)) return { kind: 'connect', detail };
  if (TIMEOUT_CODES.has(code)) return { kind: 'timeout', detail };
  return { kind: 'reset', detail };
}

/**
 * One client's way to the IM hosts: its own connection pool, and its own record of when each request was really
 * written. The pacer counts a send from that moment rather than from when it granted the slot (a new connection
 * can take tens of ms on a busy machine). The record lives in this client's dispatcher, not in a process-wide
 * diagnostics channel, so two clients (two IM apps) never see each other's requests.
 */
export class ImTransport {
  private readonly dispatcher: Dispatcher;
  /** Requests not yet answered, by their path: `random` in the query makes it unique per attempt. */
  private readonly pending = new Map<string, { written: boolean; onWritten: (at: number) => void }>();

  constructor(
    private readonly pool: Dispatcher,
    private readonly ownsPool: boolean,
  ) {
    this.dispatcher = pool.compose((dispatch) => (opts, handler) => {
      const request = this.pending.get(opts.path);
      if (!request) return dispatch(opts, handler);
      return dispatch(
        opts,
        onWrite(handler, () => {
          request.written = true;
          request.onWritten(performance.now());
        }),
      );
    });
  }

  /** postJson through this client's pool; `onWritten` is told when the request goes to the socket. */
  async post(
    url: URL,
    body: string,
    timeoutMs: number,
    cancel: AbortSignal | undefined,
    onWritten: (at: number) => void = () => {},
  ): Promise<SentResult> {
    const key = `${url.pathname}${url.search}`;
    const request = { written: false, onWritten };
    this.pending.set(key, request);
    try {
      const result = await postJson(this.dispatcher, url, body, timeoutMs, cancel);
      return { ...result, written: request.written };
    } finally {
      this.pending.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }
}

/**
 * The handler undici calls as it sends, with `written` called when the request is dispatched on its socket
 * (`onRequestStart` comes right before the headers are written, in the same turn of the event loop).
 */
function onWrite(handler: Dispatcher.DispatchHandler, written: () => void): Dispatcher.DispatchHandler {
  return {
    onRequestStart: (controller, context) => {
      written();
      handler.onRequestStart?.(controller, context);
    },
    onRequestUpgrade: (controller, statusCode, headers, socket) =>
      handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) =>
      handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  };
}
