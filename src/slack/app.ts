import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type webApi } from '@slack/bolt';
import type { SlackConfig } from '../config/slack-config.js';
import { ImWatch } from '../doctor/im-watch.js';
import type { ImRuntime } from '../im-runtime.js';
import type { Logger } from '../log/logger.js';
import { memoryState, type SharedState } from '../state/shared-state.js';
import { VERSION } from '../version.js';
import { Allowlist } from './access/allowlist.js';
import { drainOrInterrupt, stopTakingWork } from './drain.js';
import { InFlight } from './in-flight.js';
import { registerBulkButtons } from './listeners/actions/bulk-buttons.js';
import { registerMarkReadCommand } from './listeners/commands/markread.js';
import { registerMarkReadModal } from './listeners/views/markread-modal.js';
import { LocalRuns, type RunStore } from './runs.js';
import { MetadataSeal } from './sealed-metadata.js';
import { SlackJobs } from './slack-jobs.js';
import { boltLogger } from './transport/bolt-logger.js';
import { createHttpFront } from './transport/http-front.js';
import { createResponder } from './transport/response-url.js';
import { scrubAcks } from './transport/scrubbing.js';
import { ConnectionState } from './transport/socket/connection-state.js';
import { ResilientSocketModeReceiver } from './transport/socket/receiver.js';
import {
  describeTokenError,
  FATAL_TOKEN_ERRORS,
  networkCause,
  StartupError,
  slackUnreachable,
} from './transport/socket/startup-error.js';
import { webClientOptions } from './transport/web-client.js';

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
  /** Runs, replays and acked work: in this process by default, or shared with other replicas through Redis. */
  state?: SharedState;
  /** How long start-up keeps retrying an unreachable Slack before it reports it. */
  startupWaitMs?: number;
  /** Socket Mode reconnect backoff (tests shorten it). */
  socketBackoff?: { baseMs: number; capMs: number };
  /** A Socket Mode connection lost for less than this still counts as ready in /healthz. Default 5 s. */
  healthGraceMs?: number;
}

const SLACK_API = 'https://slack.com/api/';

/** Unverified HTTP requests being read at once; Slack sends a few per command, so this only bounds abuse. */
const MAX_UNVERIFIED = 64;

export function createSlackApp(slack: SlackConfig, runtime: ImRuntime, options: SlackAppOptions = {}): SlackAppHandle {
  for (const secret of [slack.botToken, slack.signingSecret, slack.appToken])
    if (secret) runtime.redactor.addSecret(secret.reveal());
  const logger = runtime.logger.child({ component: 'slack' });
  const state = options.state ?? memoryState();
  const receives = state.role !== 'worker';
  const inFlight = new InFlight();
  const imWatch = new ImWatch(runtime.app, logger.child({ component: 'doctor' }));
  let ready = false;
  let stopping = false;
  const connection = new ConnectionState(options.healthGraceMs);
  /** Readiness: 200 only while markread can receive commands; otherwise 503 and why. */
  const healthz = (res: ServerResponse) => {
    const slackProblem = slack.mode === 'socket' && receives ? connection.problem() : undefined;
    const ok = ready && !stopping && slackProblem === undefined;
    const body = {
      ok,
      version: VERSION,
      mode: slack.mode,
      slack: slackProblem ?? (ready ? (receives ? 'connected' : 'not receiving (worker)') : 'starting'),
      role: state.role,
      stopping,
      // Acked and not finished: what is running, and what waits for a slot.
      inFlight: inFlight.size + jobs.depth().waiting,
      queue: jobs.depth(),
      // Down is reported, not fatal: single marks go on with a local budget while Redis is away.
      redis: state.health(),
      // The doctor's IM checks: a failure is reported, not fatal (the API may be down only for a while).
      im: imWatch.status(),
    };
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  /** Liveness: the process and its event loop answer; a restart would not help with anything else. */
  const livez = (res: ServerResponse) =>
    void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  const routes = { '/healthz': healthz, '/readyz': healthz, '/livez': livez };

  const clientOptions = webClientOptions(slack, runtime.redactor);
  const http =
    slack.mode === 'http'
      ? // The front door has verified the signature, the timestamp and replays already; Bolt need not do it twice.
        new HTTPReceiver({
          signingSecret: slack.signingSecret?.reveal() as string,
          signatureVerification: false,
          logger: boltLogger(logger),
          endpoints: ['/slack/events'],
        })
      : undefined;
  const socket =
    slack.mode === 'socket'
      ? new ResilientSocketModeReceiver({
          appToken: slack.appToken?.reveal() as string,
          apiUrl: slack.apiUrl ?? SLACK_API,
          logger,
          state: connection,
          startupWaitMs: options.startupWaitMs,
          backoff: options.socketBackoff,
          replay: state.replay,
        })
      : undefined;
  // The Socket Mode receiver gets no share of clientOptions: the Web API client and the connection keep separate
  // retry policies, and nothing writes into the object the listeners' client uses.
  const app = new App({
    token: slack.botToken.reveal(),
    receiver: http ?? socket,
    logger: boltLogger(logger),
    clientOptions,
    deferInitialization: true,
  });
  scrubAcks(app, runtime.redactor);

  const allowlist = new Allowlist(
    slack.allowedUsers,
    slack.allowedUserGroups,
    async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    logger,
  );
  const runs = state.runs;
  const local = new LocalRuns();
  const respond = createResponder({ redactor: runtime.redactor, logger, apiUrl: slack.apiUrl });
  const seal = new MetadataSeal(
    ((slack.signingSecret ?? slack.appToken) as NonNullable<SlackConfig['appToken']>).reveal(),
  );
  const flow = { logger, app: runtime.app, respond };
  const jobs = new SlackJobs(
    state.journal,
    { flow: { ...flow, web: app.client }, runs, local, inFlight, logger },
    () => state.health() === 'none' || state.health() === 'up',
    state.role !== 'web',
  );
  const deps = { allowlist, inFlight, logger, runs, local, seal, jobs, flow };
  registerMarkReadCommand(app, deps);
  registerMarkReadModal(app, deps);
  registerBulkButtons(app, deps);

  let server: Server | undefined;
  let stopped: Promise<{ drained: boolean }> | undefined;
  const listen = async (s: Server) => {
    server = s;
    await new Promise<void>((resolve, reject) => {
      s.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new StartupError(`PORT ${slack.port} is in use: stop whatever listens there, or set PORT to a free port`)
            : new StartupError(`PORT ${slack.port}: cannot listen (${error.code ?? error.message})`),
        ),
      );
      s.listen(slack.port, () => resolve());
    });
    s.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
    return (s.address() as AddressInfo).port;
  };
  return {
    app,
    inFlight,
    runs,
    local,
    async start() {
      // Each check on its own, before anything is connected, each failing with one line that names what to fix.
      let port: number;
      // A worker receives nothing: Socket Mode opens no connection and HTTP mode serves only the probes.
      if (slack.mode === 'socket' || !receives) {
        // Socket Mode needs no public URL, but container probes still want /healthz.
        const { createServer } = await import('node:http');
        port = await listen(
          createServer((req, res) => {
            const route = routes[(req.url ?? '').split('?')[0] as keyof typeof routes];
            return route ? route(res) : res.writeHead(404).end();
          }),
        );
      } else {
        port = await listen(
          createHttpFront({
            signingSecret: slack.signingSecret?.reveal() as string,
            maxBodyBytes: slack.maxBodyBytes,
            maxUnverified: MAX_UNVERIFIED,
            replay: state.replay,
            logger,
            bolt: (http as HTTPReceiver).requestListener,
            routes,
          }),
        );
      }
      try {
        await checkBotToken(app.client, slack.apiUrl ?? SLACK_API, options.startupWaitMs ?? 30_000, logger);
        await app.init();
        await jobs.start();
        if (socket && receives) await app.start();
      } catch (error) {
        server?.close();
        throw error;
      }
      void allowlist.warm();
      imWatch.start();
      ready = true;
      logger.info(
        { version: VERSION, mode: slack.mode, port, role: state.role },
        receives
          ? `markread ${VERSION} is listening (${slack.mode === 'socket' ? 'Socket Mode' : 'HTTP mode, POST /slack/events'})${state.role === 'web' ? '; the work goes to worker replicas' : ''}; GET /healthz on port ${port}`
          : `markread ${VERSION} is a worker: it runs the work other replicas ack and receives nothing; GET /healthz on port ${port}`,
      );
      return port;
    },
    stop(drainMs = 10_000) {
      // Idempotent: a second SIGTERM, or a test's cleanup, waits for the first stop.
      stopped ??= stopOnce(drainMs);
      return stopped;
    },
  };

  async function stopOnce(drainMs: number): Promise<{ drained: boolean }> {
    stopping = true;
    imWatch.stop();
    await stopTakingWork(jobs, local, runs);
    await socket?.stop();
    server?.close();
    server?.closeIdleConnections();
    const drained = await drainOrInterrupt(inFlight, drainMs, logger);
    server?.closeAllConnections();
    await runtime.app.client.close();
    return { drained };
  }
}

/** auth.test with the bot token: a refused token stops start-up at once; an unreachable Slack is retried, bounded. */
async function checkBotToken(client: webApi.WebClient, apiUrl: string, waitMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await client.auth.test();
      return;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== undefined) {
        if (FATAL_TOKEN_ERRORS.has(code)) throw new StartupError(describeTokenError('SLACK_BOT_TOKEN', code));
        if (code !== 'ratelimited' && code !== 'internal_error' && code !== 'fatal_error')
          throw new StartupError(`SLACK_BOT_TOKEN: auth.test answered ${code}`);
      }
      const cause = code ?? networkCause(error);
      if (Date.now() + 2_000 > deadline) throw slackUnreachable(apiUrl, cause);
      logger.warn(`Slack is not reachable yet (${cause}); retrying in 2 s`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}
