import { createServer, type Server, type ServerResponse } from 'node:http';

/** GET routes served before anything else. */
export type Routes = Record<string, (res: ServerResponse) => void>;

/** What readiness reports: 200 when `ok`, else 503, with the body saying why. */
export interface Readiness {
  ok: boolean;
  body: Record<string, unknown>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * The container probes. Readiness (/healthz, /readyz) is 200 only while markread can receive commands; liveness
 * (/livez) only says the process and its event loop answer, since a restart would not help with anything else.
 */
export function probeRoutes(readiness: () => Readiness): Routes {
  const healthz = (res: ServerResponse) => {
    const { ok, body } = readiness();
    res.writeHead(ok ? 200 : 503, JSON_TYPE).end(JSON.stringify(body));
  };
  const livez = (res: ServerResponse) => void res.writeHead(200, JSON_TYPE).end('{"ok":true}');
  return { '/healthz': healthz, '/readyz': healthz, '/livez': livez };
}

/** What serves GET /metrics: the app's metrics in the text format. */
export interface Scrape {
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** GET /metrics, when metrics are on (MARKREAD_METRICS): it reads only this process's memory, so it always answers. */
export function metricsRoute(metrics: Scrape | undefined): Routes {
  if (!metrics) return {};
  const route = (res: ServerResponse) =>
    void metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  return { '/metrics': route };
}

/** A server of the probes alone: Socket Mode needs no public URL, and a worker receives nothing. */
export function probeServer(routes: Routes): Server {
  return createServer((req, res) => {
    const route = routes[(req.url ?? '').split('?')[0] as string];
    return route ? route(res) : res.writeHead(404).end();
  });
}
