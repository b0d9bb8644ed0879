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

/** A server of the probes alone: Socket Mode needs no public URL, and a worker receives nothing. */
export function probeServer(routes: Routes): Server {
  return createServer((req, res) => {
    const route = routes[(req.url ?? '').split('?')[0] as string];
    return route ? route(res) : res.writeHead(404).end();
  });
}
