import { historyOutlet } from '../audit/history-outlet.js';
import { AuditLogOutlet } from '../audit/log-outlet.js';
import type { AuditScope } from '../audit/scope.js';
import { Audit } from '../audit/sink.js';
import { loadApprovalConfig } from '../config/approval-config.js';
import { ConfigError } from '../config/config-error.js';
import { loadEnvFile } from '../config/env-file.js';
import { appVariable, defaultAppConfig, type LoadedImApps, loadImApps } from '../config/im-apps.js';
import { loadRedisConfig, type RedisConfig } from '../config/redis-config.js';
import { type AuditChannelConfig, loadAuditChannelConfig } from '../config/slack-config.js';
import type { ImApp } from '../im/app.js';
import { appLabel, type ImApps, namesApp } from '../im/apps.js';
import { createImRuntime } from '../im-runtime.js';
import { createLogger } from '../log/logger.js';
import { addEnvSecrets } from '../log/redactor.js';
import { stderrDestination } from '../log/terminal-destination.js';
import { closeAuditChannel, openAuditChannel } from './audit-channel.js';
import type { CliSession } from './session.js';
import { cliSharedState } from './shared-state.js';

/** The IM app a command acts on; in a dry run of pairs, whether the SDKAppID shown is a placeholder. */
export interface ImSession {
  /**
   * The app the command acts on: the one --app names, else the default (TIM_DEFAULT_APP, or the first of
   * TIM_APPS, or the one app of the TIM_* variables).
   */
  app: ImApp;
  /** Every app configured, each with its own client. */
  apps: ImApps;
  /** The CLI's audit scope: the OS user and host as actor, its events on stderr and in the audit channel if set. */
  audit: AuditScope;
  /** MARKREAD_APPROVAL_OVER, for the warning a larger run gets (the CLI cannot be gated). */
  approvalOver: number | undefined;
  /** A dry run of pairs without the default app's SDKAppID: the variable to set (the one shown is a placeholder). */
  sdkAppIdMissing: string | undefined;
}

/** Stands in for the secret key of a dry run of pairs, which calls nothing and so needs none. */
const NOT_SET = 'not-set-dry-run-only';

/**
 * Loads the configuration (.env included), builds the IM app, runs `body` with it and closes it. With REDIS_URL
 * the app spends the same send budget as the app's replicas, so together they stay under it. `offline` (a dry
 * run of pairs) needs no secret key, shows the SDKAppID as a placeholder if unset, and never touches Redis.
 * A configuration that does not load is a configuration error (exit 2) before anything is called.
 */
export async function withImSession(
  cli: CliSession,
  options: { json: boolean; offline: boolean; reason?: string; app?: string },
  body: (session: ImSession) => Promise<number> | number,
): Promise<number> {
  loadEnvFile();
  addEnvSecrets(cli.redactor, process.env);
  const { offline } = options;
  const env = offline ? withPlaceholders(process.env) : process.env;
  const configs = loadConfigs(env, offline);
  if (configs instanceof ConfigError) return cli.fail('configuration', configs.problems, options.json);
  const { loaded, redis, auditChannel } = configs;
  // The CLI's stdout is its output; logs go to stderr (readable lines on a terminal), at warn unless LOG_LEVEL says.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ? loaded.logLevel : 'warn',
    redactor: cli.redactor,
    destination: stderrDestination(),
  });
  // The pairs of a run stay off a terminal's stderr (the run's progress is there); a pipe or a file gets them all.
  const quietPairs = process.stderr.isTTY === true && process.env.LOG_FORMAT?.trim().toLowerCase() !== 'json';
  const sink = new Audit([new AuditLogOutlet(logger, quietPairs)]);
  // --reason: every event of the command carries it.
  const why = options.reason === undefined ? {} : { reason: options.reason };
  const audit: AuditScope = { sink, actor: cli.actor, via: 'cli', ...why };
  const shared = redis ? await cliSharedState(redis, logger) : undefined;
  if (shared) sink.add(historyOutlet(shared.history));
  const channel = auditChannel && (await openAuditChannel(auditChannel, cli.redactor, logger, shared?.budgets));
  if (channel) sink.add(channel);
  const { app, apps } = createImRuntime(loaded, {
    logger,
    redactor: cli.redactor,
    client: { budget: shared?.budgets },
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  cli.stopOnCtrlC();
  try {
    // --app names the app; an unknown name is a usage error before anything is called.
    const chosen = options.app === undefined ? { ok: true as const, app } : apps.appNamed(options.app);
    if (!chosen.ok) return cli.fail('usage', [chosen.problem], options.json);
    // With several apps (or a protected one) the person at the terminal is told which app, before anything else.
    if (!options.json && namesApp(chosen.app, apps.several)) cli.term.err(`markread: IM app ${appLabel(chosen.app)}\n`);
    const sdkAppIdVariable = loaded.single ? 'TIM_SDKAPPID' : appVariable(chosen.app.name, 'SDKAPPID');
    const sdkAppIdMissing = offline && !process.env[sdkAppIdVariable]?.trim() ? sdkAppIdVariable : undefined;
    return await body({ app: chosen.app, apps, audit, sdkAppIdMissing, approvalOver: configs.approvalOver });
  } finally {
    await apps.close();
    if (channel) await closeAuditChannel(channel, cli.term);
    // A history write is one round trip; a Redis gone silent costs the exit 2 s at most.
    await shared?.close(Date.now() + 2_000);
  }
}

/**
 * A dry run of pairs calls nothing, so it needs no secret key or SDKAppID: placeholders for each app's (different
 * SDKAppIDs, as two apps may not share one). Whatever the environment sets wins.
 */
function withPlaceholders(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = env.TIM_APPS?.split(/[\s,]+/).filter(Boolean) ?? [];
  if (names.length === 0) return { TIM_SECRET_KEY: NOT_SET, TIM_SDKAPPID: '1', ...env };
  const placeholders = names.flatMap((name, i) => [
    [appVariable(name, 'SECRET_KEY'), NOT_SET],
    [appVariable(name, 'SDKAPPID'), String(i + 1)],
  ]);
  return { ...Object.fromEntries(placeholders), ...env };
}

/** The IM configuration, and Redis's and the audit channel's unless offline; or the ConfigError that says what is wrong. */
function loadConfigs(
  env: NodeJS.ProcessEnv,
  offline: boolean,
):
  | {
      loaded: LoadedImApps;
      redis: RedisConfig | undefined;
      auditChannel: AuditChannelConfig | undefined;
      approvalOver: number | undefined;
    }
  | ConfigError {
  try {
    const loaded = loadImApps(env);
    if (offline) return { loaded, redis: undefined, auditChannel: undefined, approvalOver: undefined };
    return {
      loaded,
      // The deployment's keys stay under its default app's SDKAppID; each app's budget is under its own.
      redis: loadRedisConfig(env, defaultAppConfig(loaded).config.sdkAppId),
      auditChannel: loadAuditChannelConfig(env),
      approvalOver: loadApprovalConfig(env).over,
    };
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
