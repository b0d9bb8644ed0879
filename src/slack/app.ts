import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import type { SlackConfig } from '../config/slack-config.js';
import type { ImRuntime } from '../im-runtime.js';
import { Allowlist } from './allowlist.js';
import { boltLogger } from './bolt-logger.js';
import { createHttpFront } from './http-front.js';
import { InFlight } from './in-flight.js';
import { registerBulkButtons } from './listeners/actions/bulk-buttons.js';
import { registerMarkReadCommand } from './listeners/commands/markread.js';
import { registerMarkReadModal } from './listeners/views/markread-modal.js';
import { scrubAcks, scrubbingFetch } from './outbound.js';
import { MemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { createResponder } from './response-url.js';
import { LocalRuns, MemoryRunStore, type RunStore } from './runs.js';
import { MetadataSeal } from './sealed-metadata.js';

export interface SlackAppHandle {
  app: App;
  inFlight: InFlight;
  runs: RunStore;
  local: LocalRuns;
  /** Starts listening; resolves with the HTTP port (events in HTTP mode, /healthz only in Socket Mode). */
  start(): Promise<number>;
  /** Stops taking requests, lets work in flight finish (bounded), closes the IM client. */
  stop(drainMs?: number): Promise<{ drained: boolean }>;
}

export interface SlackAppOptions {
  runs?: RunStore;
  replay?: ReplayGuard;
}

/** Unverified HTTP requests being read at once; Slack sends a few per command, so this only bounds abuse. */
const MAX_UNVERIFIED = 64;

/**
 * Slack Web API calls get a bounded timeout and a short retry policy: the default retries for about 30
 * minutes, far past any responder's patience and past graceful shutdown.
 */
const WEB_API_OPTIONS = { timeout: 10_000, retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000, randomize: true } };

export function createSlackApp(slack: SlackConfig, runtime: ImRuntime, options: SlackAppOptions = {}): SlackAppHandle {
  for (const secret of [slack.botToken, slack.signingSecret, slack.appToken]) if (secret) runtime.redactor.addSecret(secret.reveal());
  const logger = runtime.logger.child({ component: 'slack' });
  const inFlight = new InFlight();
  let ready = false;
  const healthz = (res: ServerResponse) => {
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: ready, inFlight: inFlight.size }));
  };

  const clientOptions = { ...WEB_API_OPTIONS, fetch: scrubbingFetch(runtime.redactor), ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}) };
  const receiver =
    slack.mode === 'http'
      ? new HTTPReceiver({ signingSecret: slack.signingSecret?.reveal() as string, logger: boltLogger(logger), endpoints: ['/slack/events'] })
      : undefined;
  const app =
    slack.mode === 'socket'
      ? new App({ token: slack.botToken.reveal(), appToken: slack.appToken?.reveal(), socketMode: true, logger: boltLogger(logger), clientOptions, deferInitialization: true })
      : new App({ token: slack.botToken.reveal(), receiver, logger: boltLogger(logger), clientOptions, deferInitialization: true });
  scrubAcks(app, runtime.redactor);

  const allowlist = new Allowlist(
    slack.allowedUsers,
    slack.allowedUserGroups,
    async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    logger,
  );
  const runs = options.runs ?? new MemoryRunStore();
  const local = new LocalRuns();
  const respond = createResponder({ redactor: runtime.redactor, logger, apiUrl: slack.apiUrl });
  const seal = new MetadataSeal(((slack.signingSecret ?? slack.appToken) as NonNullable<SlackConfig['appToken']>).reveal());
  const deps = { allowlist, inFlight, logger, runs, local, seal, flow: { logger, im: runtime, respond } };
  registerMarkReadCommand(app, deps);
  registerMarkReadModal(app, deps);
  registerBulkButtons(app, deps);

  let server: Server | undefined;
  const listen = async (s: Server) => {
    server = s;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(slack.port, () => {
        s.off('error', reject);
        resolve();
      });
    });
    return (s.address() as AddressInfo).port;
  };
  return {
    app,
    inFlight,
    runs,
    local,
    async start() {
      await app.init();
      void allowlist.warm();
      let port: number;
      if (slack.mode === 'socket') {
        await app.start();
        // Socket Mode needs no public URL, but container probes still want /healthz.
        const { createServer } = await import('node:http');
        port = await listen(createServer((req, res) => (req.url === '/healthz' ? healthz(res) : res.writeHead(404).end())));
      } else {
        port = await listen(
          createHttpFront({
            signingSecret: slack.signingSecret?.reveal() as string,
            maxBodyBytes: slack.maxBodyBytes,
            maxUnverified: MAX_UNVERIFIED,
            replay: options.replay ?? new MemoryReplayGuard(),
            logger,
            bolt: (receiver as HTTPReceiver).requestListener,
            routes: { '/healthz': healthz },
          }),
        );
      }
      ready = true;
      logger.info({ mode: slack.mode, port }, `markread is listening (${slack.mode === 'socket' ? 'Socket Mode' : 'HTTP mode, POST /slack/events'}); GET /healthz on port ${port}`);
      return port;
    },
    async stop(drainMs = 10_000) {
      ready = false;
      // Bulk runs stop taking new pairs; what was sent finishes and their summaries are posted in the drain.
      for (const id of local.ids()) {
        const stopping = await runs.transition(id, 'running', 'stopping', { stopReason: 'stopped because markread was shutting down' });
        if (stopping.ok) local.abort(id);
      }
      if (slack.mode === 'socket') await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping the Slack receiver'));
      server?.close();
      server?.closeIdleConnections();
      const drained = await inFlight.drain(drainMs);
      if (!drained) logger.error({ inFlight: inFlight.size }, `shutdown: ${inFlight.size} command(s) still running after ${drainMs} ms; their outcomes are in the audit log only`);
      server?.closeAllConnections();
      await runtime.client.close();
      return { drained };
    },
  };
}
