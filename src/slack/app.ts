import { App } from '@slack/bolt';
import { historyOutlet } from '../audit/history-outlet.js';
import { AuditLogOutlet } from '../audit/log-outlet.js';
import { Audit } from '../audit/sink.js';
import type { SlackConfig } from '../config/slack-config.js';
import type { ImRuntime } from '../im-runtime.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { AppState } from '../metrics/gauges.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AuditHistory } from '../stores/audit-history.js';
import type { RunStore } from '../stores/runs.js';
import { memoryState, type SharedState } from '../stores/shared-state.js';
import { LocalRuns } from '../work/local-runs.js';
import { Allowlist } from './access/allowlist.js';
import { AppAccess } from './access/app-access.js';
import { type AuditChannelOutlet, type AuditChannelTuning, createAuditChannel } from './audit/channel-outlet.js';
import type { ListenerDeps } from './deps.js';
import { SlackJobs } from './flows/jobs.js';
import { InFlight } from './in-flight.js';
import { AppLifecycle } from './lifecycle.js';
import { registerListeners } from './listeners/index.js';
import { MetadataSeal } from './sealed-metadata.js';
import { boltLogger } from './transport/bolt-logger.js';
import { countRequests } from './transport/count-requests.js';
import { createReceivers, type Receivers } from './transport/receivers.js';
import { createResponder } from './transport/response-url.js';
import { scrubAcks } from './transport/scrubbing.js';
import { ConnectionState } from './transport/socket/connection-state.js';
import { webClientOptions } from './transport/web-client.js';

export interface SlackAppHandle {
  app: App;
  /** This process's audit trail: every outlet it has. */
  audit: Audit;
  inFlight: InFlight;
  runs: RunStore;
  local: LocalRuns;
  /** Starts listening; resolves with the HTTP port (events in HTTP mode, /healthz only in Socket Mode). */
  start(): Promise<number>;
  /** Stops taking requests, lets work in flight finish (bounded), closes the IM client. */
  stop(drainMs?: number): Promise<{ drained: boolean }>;
  /**
   * Expires the approval requests due at `now` (every 10 s by itself while approvals are on); how many this
   * process settled.
   */
  sweepApprovals(now?: number): Promise<number>;
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
  /** The audit trail; by default one with its JSON log line (outlet 1). */
  audit?: Audit;
  /** The audit channel's pace and queue (tests make them fast and small); its budget is `state.budgets` if any. */
  auditChannel?: AuditChannelTuning;
  /**
   * This app's metrics, served on GET /metrics unless MARKREAD_METRICS=false; none, no /metrics. Hand the same
   * object's `imObserver` to createImRuntime for the IM client's series.
   */
  metrics?: Metrics;
}

/** The Slack app: receivers, Bolt, the listeners behind the access gate, and the work they hand on. */
export function createSlackApp(slack: SlackConfig, runtime: ImRuntime, options: SlackAppOptions = {}): SlackAppHandle {
  for (const secret of [slack.botToken, slack.signingSecret, slack.appToken])
    if (secret) runtime.redactor.addSecret(secret.reveal());
  const logger = runtime.logger.child({ component: 'slack' });
  const state = options.state ?? memoryState();
  const connection = new ConnectionState(options.healthGraceMs);
  const audit = options.audit ?? auditTrail(runtime.logger, state.history);
  const metrics = slack.metrics ? options.metrics : undefined;
  if (metrics) audit.add(metrics.auditOutlet());
  const receivers = createReceivers(slack, {
    logger,
    audit,
    replay: state.replay,
    connection,
    startupWaitMs: options.startupWaitMs,
    backoff: options.socketBackoff,
    onAck: metrics && ((seconds) => metrics.ackSent('socket', seconds)),
  });
  const app = createBoltApp(slack, runtime.redactor, receivers, logger);
  // Before the gate, so a refused request is counted as received too.
  if (metrics) app.use(countRequests(metrics));
  const auditChannel = slack.auditChannel
    ? createAuditChannel(
        { channel: slack.auditChannel, botToken: slack.botToken, apiUrl: slack.apiUrl },
        { redactor: runtime.redactor, logger: logger.child({ component: 'audit-channel' }) },
        { budgets: state.budgets, ...options.auditChannel },
      )
    : undefined;
  if (auditChannel) audit.add(auditChannel);
  const deps = listenerDeps(app, slack, runtime, state, logger, audit);
  registerListeners(app, deps);
  metrics?.watch(appState(slack, runtime, state, connection, deps, auditChannel));
  const startupWaitMs = options.startupWaitMs ?? 30_000;
  const lifecycle = new AppLifecycle({
    slack,
    runtime,
    state,
    logger,
    app,
    receivers,
    connection,
    deps,
    startupWaitMs,
    audit,
    auditChannel,
    metrics,
  });
  return {
    app,
    audit,
    inFlight: deps.inFlight,
    runs: deps.runs,
    local: deps.local,
    start: () => lifecycle.start(),
    stop: (drainMs) => lifecycle.stop(drainMs),
    sweepApprovals: (now) => lifecycle.expiry.sweep(now),
  };
}

function createBoltApp(slack: SlackConfig, redactor: Redactor, receivers: Receivers, logger: Logger): App {
  // The Socket Mode receiver gets no share of the client options: the Web API client and the connection keep
  // separate retry policies, and nothing writes into the object the listeners' client uses.
  const app = new App({
    token: slack.botToken.reveal(),
    receiver: receivers.http ?? receivers.socket,
    logger: boltLogger(logger),
    clientOptions: webClientOptions(slack, redactor),
    deferInitialization: true,
  });
  scrubAcks(app, redactor);
  return app;
}

/** What every listener gets: the allowlist, the run store, the modal's seal, and the jobs that finish acked work. */
function listenerDeps(
  app: App,
  slack: SlackConfig,
  runtime: ImRuntime,
  state: SharedState,
  logger: Logger,
  audit: Audit,
): ListenerDeps {
  const members = async (usergroup: string) => (await app.client.usergroups.users.list({ usergroup })).users ?? [];
  const allowlist = new Allowlist(slack.allowedUsers, slack.allowedUserGroups, members, logger);
  const { approvers } = slack.approval;
  const approval = {
    config: slack.approval,
    ...(approvers ? { approvers: new Allowlist(approvers.users, approvers.groups, members, logger) } : {}),
  };
  const inFlight = new InFlight();
  const runs = state.runs;
  const local = new LocalRuns();
  const respond = createResponder({ redactor: runtime.redactor, logger, apiUrl: slack.apiUrl });
  const seal = new MetadataSeal(
    ((slack.signingSecret ?? slack.appToken) as NonNullable<SlackConfig['appToken']>).reveal(),
  );
  const flow = { logger, apps: runtime.apps, respond, audit };
  const access = new AppAccess(allowlist, runtime.apps);
  const jobs = new SlackJobs(
    state.journal,
    { flow: { ...flow, web: app.client }, runs, local, inFlight, logger },
    () => state.health() === 'none' || state.health() === 'up',
    state.role !== 'web',
  );
  const history = state.history;
  const reason = slack.reason;
  return { allowlist, access, approval, inFlight, logger, runs, local, seal, jobs, flow, reason, history };
}

/** What the metrics' gauges read at each scrape. */
function appState(
  slack: SlackConfig,
  runtime: ImRuntime,
  state: SharedState,
  connection: ConnectionState,
  deps: ListenerDeps,
  auditChannel: AuditChannelOutlet | undefined,
): AppState {
  const socket = slack.mode === 'socket' && state.role !== 'worker';
  return {
    ...(socket ? { slackConnected: () => connection.isConnected() } : {}),
    queue: () => deps.jobs.depth(),
    ...(auditChannel ? { auditChannel: () => auditChannel.stats() } : {}),
    imHosts: runtime.apps.all.map(({ name, client: { endpoint } }) => ({
      app: name,
      hosts: [endpoint.primary.host, ...(endpoint.backup ? [endpoint.backup.host] : [])],
    })),
  };
}

/**
 * The process's one audit sink: its log line, and the history App Home lists; an outlet that fails is logged
 * (and skipped) there.
 */
function auditTrail(logger: Logger, history: AuditHistory): Audit {
  return new Audit([new AuditLogOutlet(logger), historyOutlet(history)], (outlet, error) =>
    logger.error({ err: error, outlet }, 'an audit outlet failed; the event is in the audit log line'),
  );
}
