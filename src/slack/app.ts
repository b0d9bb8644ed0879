import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import type { SlackConfig } from '../config/slack-config.js';
import type { ImRuntime } from '../im-runtime.js';
import { Allowlist } from './allowlist.js';
import { boltLogger } from './bolt-logger.js';
import { InFlight } from './in-flight.js';
import { registerMarkReadCommand } from './listeners/commands/markread.js';
import { registerBulkButtons } from './listeners/actions/bulk-buttons.js';
import { registerMarkReadModal } from './listeners/views/markread-modal.js';
import { RunRegistry } from './runs.js';

export interface SlackAppHandle {
  app: App;
  inFlight: InFlight;
  runs: RunRegistry;
  /** Starts listening; resolves with the HTTP port (events in HTTP mode, /healthz only in Socket Mode). */
  start(): Promise<number>;
  /** Stops taking requests, lets work in flight finish (bounded), closes the IM client. */
  stop(drainMs?: number): Promise<{ drained: boolean }>;
}

/**
 * Slack Web API calls get a bounded timeout and a short retry policy: the default retries for about 30
 * minutes, far past any responder's patience and past graceful shutdown.
 */
const WEB_API_OPTIONS = { timeout: 10_000, retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000, randomize: true } };

export function createSlackApp(slack: SlackConfig, runtime: ImRuntime): SlackAppHandle {
  for (const secret of [slack.botToken, slack.signingSecret, slack.appToken]) if (secret) runtime.redactor.addSecret(secret.reveal());
  const logger = runtime.logger.child({ component: 'slack' });
  const inFlight = new InFlight();
  let ready = false;
  const healthz = (res: import('node:http').ServerResponse) => {
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: ready, inFlight: inFlight.size }));
  };

  const clientOptions = { ...WEB_API_OPTIONS, ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}) };
  const app =
    slack.mode === 'socket'
      ? new App({ token: slack.botToken.reveal(), appToken: slack.appToken?.reveal(), socketMode: true, logger: boltLogger(logger), clientOptions, deferInitialization: true })
      : new App({
          token: slack.botToken.reveal(),
          signingSecret: slack.signingSecret?.reveal() as string,
          port: slack.port,
          logger: boltLogger(logger),
          clientOptions,
          deferInitialization: true,
          customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => healthz(res) }],
        });

  const allowlist = new Allowlist(
    slack.allowedUsers,
    slack.allowedUserGroups,
    async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    logger,
  );
  const runs = new RunRegistry();
  const deps = { allowlist, inFlight, logger, runs, flow: { logger, im: runtime } };
  registerMarkReadCommand(app, deps);
  registerMarkReadModal(app, deps);
  registerBulkButtons(app, deps);

  let healthServer: Server | undefined;
  return {
    app,
    inFlight,
    runs,
    async start() {
      await app.init();
      void allowlist.warm();
      let port: number;
      if (slack.mode === 'socket') {
        await app.start();
        // Socket Mode needs no public URL, but container probes still want /healthz.
        healthServer = createServer((req, res) => (req.url === '/healthz' ? healthz(res) : res.writeHead(404).end()));
        await new Promise<void>((resolve) => healthServer?.listen(slack.port, resolve));
        port = (healthServer.address() as AddressInfo).port;
      } else {
        const server = (await app.start(slack.port)) as Server;
        port = (server.address() as AddressInfo).port;
      }
      ready = true;
      logger.info({ mode: slack.mode, port }, `markread is listening (${slack.mode === 'socket' ? 'Socket Mode' : 'HTTP mode, POST /slack/events'}); GET /healthz on port ${port}`);
      return port;
    },
    async stop(drainMs = 10_000) {
      ready = false;
      // Bulk runs stop taking new pairs; what was sent finishes and their summaries are posted in the drain.
      for (const run of runs.running()) {
        run.stopReason = 'stopped because markread was shutting down';
        run.controller.abort();
      }
      await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping the Slack receiver'));
      const drained = await inFlight.drain(drainMs);
      if (!drained) logger.error({ inFlight: inFlight.size }, `shutdown: ${inFlight.size} command(s) still running after ${drainMs} ms; their outcomes are in the audit log only`);
      await new Promise<void>((resolve) => (healthServer ? healthServer.close(() => resolve()) : resolve()));
      await runtime.client.close();
      return { drained };
    },
  };
}
