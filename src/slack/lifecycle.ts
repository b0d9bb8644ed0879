import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import { type Audit, slackThreadLink } from '../audit/sink.js';
import type { SlackConfig } from '../config/slack-config.js';
import { ImWatch } from '../doctor/im-watch.js';
import type { ImRuntime } from '../im-runtime.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SharedState } from '../stores/shared-state.js';
import { VERSION } from '../version.js';
import { checkAuditChannelAtStart } from './audit/channel-check.js';
import type { AuditChannelOutlet } from './audit/channel-outlet.js';
import type { ListenerDeps } from './deps.js';
import { drainOrInterrupt, stopTakingWork } from './drain.js';
import { ApprovalExpiry } from './flows/approval-expiry.js';
import { checkBotToken } from './transport/bot-token.js';
import { createHttpFront } from './transport/http-front.js';
import { listen } from './transport/listen.js';
import { metricsRoute, probeRoutes, probeServer, type Readiness } from './transport/probes.js';
import { type Receivers, SLACK_API } from './transport/receivers.js';
import type { ConnectionState } from './transport/socket/connection-state.js';

/** Unverified HTTP requests being read at once; Slack sends a few per command, so this only bounds abuse. */
const MAX_UNVERIFIED = 64;
/**
 * The audit channel's flush on stop gets what remains of the drain, and at least this: the interrupted events
 * are recorded at the drain's very end, and a stop that used all of it would otherwise never post them.
 */
const AUDIT_FLUSH_FLOOR_MS = 1_000;

/** The parts createSlackApp wires; the lifecycle starts them in order and stops them in the reverse. */
export interface AppParts {
  slack: SlackConfig;
  runtime: ImRuntime;
  state: SharedState;
  logger: Logger;
  app: App;
  receivers: Receivers;
  connection: ConnectionState;
  deps: ListenerDeps;
  /** How long start-up keeps retrying an unreachable Slack before it reports it. */
  startupWaitMs: number;
  audit: Audit;
  /** MARKREAD_AUDIT_CHANNEL's outlet, when set: checked at start-up, shown in /healthz, flushed on stop. */
  auditChannel: AuditChannelOutlet | undefined;
  /** Served on GET /metrics beside the probes, when on. */
  metrics?: Metrics | undefined;
}

/** Start-up checks, readiness, and the graceful stop of a Slack app. */
export class AppLifecycle {
  private ready = false;
  private stopping = false;
  private server: Server | undefined;
  private stopped: Promise<{ drained: boolean }> | undefined;
  /** The IM checks of each app, by name; the default app's is `im` in /healthz. */
  private readonly imWatches: Map<string, ImWatch>;
  /** A worker receives nothing: it runs the work other replicas ack. */
  private readonly receives: boolean;

  /** Expires approval requests nobody decided in time (started only when approvals are on). */
  readonly expiry: ApprovalExpiry;

  constructor(private readonly parts: AppParts) {
    const { apps } = parts.runtime;
    this.expiry = new ApprovalExpiry(parts.deps, parts.app.client);
    this.imWatches = new Map(
      apps.all.map((app) => {
        const logger = parts.logger.child({ component: 'doctor', ...(apps.single ? {} : { imApp: app.name }) });
        return [app.name, new ImWatch(app, logger, !apps.single)];
      }),
    );
    this.receives = parts.state.role !== 'worker';
  }

  /** Each check on its own, before anything is connected, each failing with one line that names what to fix. */
  async start(): Promise<number> {
    const { slack, app, logger, deps, receivers, state, audit, auditChannel } = this.parts;
    this.server = this.front();
    const port = await listen(this.server, slack.port, logger);
    try {
      const bot = await checkBotToken(app.client, slack.apiUrl ?? SLACK_API, this.parts.startupWaitMs, logger);
      const { url } = bot;
      if (url) audit.threadLink = (channel, ts) => slackThreadLink(url, channel, ts);
      if (auditChannel) void checkAuditChannelAtStart(app.client, auditChannel.channel, bot.scopes, logger);
      await app.init();
      await deps.jobs.start();
      if (slack.approval.over !== undefined) this.expiry.start();
      if (receivers.socket && this.receives) await app.start();
    } catch (error) {
      this.server.close();
      throw error;
    }
    void deps.allowlist.warm();
    for (const watch of this.imWatches.values()) watch.start();
    this.ready = true;
    logger.info({ version: VERSION, mode: slack.mode, port, role: state.role }, this.listeningLine(port));
    return port;
  }

  /** Idempotent: a second SIGTERM, or a test's cleanup, waits for the first stop. */
  stop(drainMs = 10_000): Promise<{ drained: boolean }> {
    this.stopped ??= this.stopOnce(drainMs);
    return this.stopped;
  }

  /** The HTTP server: the front door before Bolt in HTTP mode; only the probes in Socket Mode and on a worker. */
  private front(): Server {
    const { slack, state, logger, receivers } = this.parts;
    const { metrics } = this.parts;
    const routes = { ...probeRoutes(() => this.readiness()), ...metricsRoute(metrics) };
    if (!receivers.http || !this.receives) return probeServer(routes);
    return createHttpFront({
      signingSecret: slack.signingSecret?.reveal() as string,
      maxBodyBytes: slack.maxBodyBytes,
      maxUnverified: MAX_UNVERIFIED,
      replay: state.replay,
      logger,
      audit: this.parts.deps.flow.audit,
      bolt: receivers.http.requestListener,
      routes,
      onAck: metrics && ((seconds) => metrics.ackSent('http', seconds)),
    });
  }

  /** 200 only while markread can receive commands; otherwise 503 and why. */
  private readiness(): Readiness {
    const { slack, state, connection, deps } = this.parts;
    const slackProblem = slack.mode === 'socket' && this.receives ? connection.problem() : undefined;
    const ok = this.ready && !this.stopping && slackProblem === undefined;
    const body = {
      ok,
      version: VERSION,
      mode: slack.mode,
      slack: slackProblem ?? (this.ready ? (this.receives ? 'connected' : 'not receiving (worker)') : 'starting'),
      role: state.role,
      stopping: this.stopping,
      // Acked and not finished: what is running, and what waits for a slot.
      inFlight: deps.inFlight.size + deps.jobs.depth().waiting,
      queue: deps.jobs.depth(),
      // Down is reported, not fatal: single marks go on with a local budget while Redis is away.
      redis: state.health(),
      // The doctor's IM checks: a failure is reported, not fatal (the API may be down only for a while). `im` is
      // the default app's, as before there were several; `apps` has each app's by name.
      im: this.imStatus(this.parts.runtime.app.name),
      apps: Object.fromEntries([...this.imWatches.keys()].map((name) => [name, this.imStatus(name)])),
      ...(this.parts.auditChannel ? { audit: this.parts.auditChannel.stats() } : {}),
    };
    return { ok, body };
  }

  private imStatus(app: string): string {
    return this.imWatches.get(app)?.status() ?? 'checking';
  }

  private listeningLine(port: number): string {
    const { slack, state } = this.parts;
    if (!this.receives)
      return `markread ${VERSION} is a worker: it runs the work other replicas ack and receives nothing; GET /healthz on port ${port}`;
    const how = slack.mode === 'socket' ? 'Socket Mode' : 'HTTP mode, POST /slack/events';
    const web = state.role === 'web' ? '; the work goes to worker replicas' : '';
    return `markread ${VERSION} is listening (${how})${web}; GET /healthz on port ${port}`;
  }

  private async stopOnce(drainMs: number): Promise<{ drained: boolean }> {
    const { deps, receivers, logger, runtime, audit } = this.parts;
    const deadline = Date.now() + drainMs;
    this.stopping = true;
    for (const watch of this.imWatches.values()) watch.stop();
    await this.expiry.stop();
    await stopTakingWork(deps.jobs, deps.local, deps.runs);
    await receivers.socket?.stop();
    this.server?.close();
    this.server?.closeIdleConnections();
    const drained = await drainOrInterrupt(deps.inFlight, drainMs, logger);
    // After the drain, whose end records the interrupted work: those events reach the audit channel too.
    await audit.flush(Math.max(deadline, Date.now() + AUDIT_FLUSH_FLOOR_MS));
    await audit.close();
    this.server?.closeAllConnections();
    await runtime.apps.close();
    return { drained };
  }
}
