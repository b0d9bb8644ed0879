/**
 * `npm start`: the Slack app, in one process. Reads .env and the environment, reports every configuration problem
 * at once, then serves /markread until SIGTERM or SIGINT, when it finishes the commands in flight before exiting.
 */
import { collectProblems } from './config/config-error.js';
import { loadEnvFile } from './config/env-file.js';
import { defaultAppConfig, type LoadedImApps, loadImApps } from './config/im-apps.js';
import { loadRedisConfig, type RedisConfig } from './config/redis-config.js';
import { retiredSettingsWarning } from './config/retired.js';
import { loadSlackConfig, type SlackConfig } from './config/slack-config.js';
import { createImRuntime, type ImRuntime } from './im-runtime.js';
import { createLogger, type Logger } from './log/logger.js';
import { addEnvSecrets, Redactor } from './log/redactor.js';
import { logStrays } from './process-guards.js';
import { createSlackApp, type SlackAppHandle } from './slack/app.js';
import { StartupError } from './slack/transport/socket/startup-error.js';
import { memoryState, type SharedState } from './stores/shared-state.js';

interface Config {
  im: LoadedImApps;
  slack: SlackConfig;
  redis: RedisConfig | undefined;
}

interface App {
  slack: SlackConfig;
  runtime: ImRuntime;
  state: SharedState;
  handle: SlackAppHandle;
}

/** Every configuration problem at once, or the configuration; a problem is reported and the exit code set. */
function loadConfig(redactor: Redactor): Config | undefined {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => collectProblems(problems, load);
  const im = attempt(() => loadImApps(process.env));
  // The deployment's keys stay under its default app's SDKAppID: a deployment that adds apps keeps its keys.
  const redis = attempt(() => loadRedisConfig(process.env, im ? defaultAppConfig(im).config.sdkAppId : 0));
  const slack = attempt(() => loadSlackConfig(process.env));
  if (im && slack && problems.length === 0) return { im, slack, redis };
  process.stderr.write(
    redactor.scrub(
      `markread cannot start; fix these and start it again (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    ),
  );
  process.exitCode = 2;
  return undefined;
}

/**
 * The shared state: in this process's memory, or on Redis when REDIS_URL is set. Redis's modules (and ioredis)
 * are loaded only then, so one process without Redis does not carry them.
 */
async function sharedState(redis: RedisConfig | undefined, logger: Logger): Promise<SharedState> {
  if (!redis) return memoryState();
  const { redisState } = await import('./stores/redis/state.js');
  const state = redisState(redis, logger);
  if (!(await state.link.ready(5_000)))
    logger.error(
      { redis: 'down', where: redis.where },
      'redis is not reachable at start-up: starting anyway; single marks use a local budget and bulk runs wait for it',
    );
  return state;
}

async function build({ im, slack, redis }: Config, redactor: Redactor): Promise<App> {
  // The logger exists before Redis does: the shared state logs through it, and its budgets go into the client.
  const logger = createLogger({ level: im.logLevel, redactor });
  const state = await sharedState(redis, logger);
  // One registry for this app, loaded only when MARKREAD_METRICS is on; the IM clients report into it too.
  const metrics = slack.metrics ? new (await import('./metrics/metrics.js')).Metrics() : undefined;
  const runtime = createImRuntime(im, {
    redactor,
    logger,
    client: { budget: state.budgets },
    ...(metrics ? { observe: metrics.imObserver } : {}),
  });
  for (const warning of im.warnings) runtime.logger.warn(warning);
  const retired = retiredSettingsWarning(process.env);
  if (retired) runtime.logger.warn(retired);
  return { slack, runtime, state, handle: createSlackApp(slack, runtime, { state, metrics }) };
}

/** Starts listening; false (exit code set, the reason written) if it cannot. */
async function start({ runtime, state, handle }: App, redactor: Redactor): Promise<boolean> {
  try {
    await handle.start();
    return true;
  } catch (error) {
    await runtime.apps.close();
    await state.close();
    if (error instanceof StartupError) {
      // One line that names what to fix; a stack trace would bury it.
      process.stderr.write(redactor.scrub(`markread cannot start: ${error.message}\n`));
      runtime.logger.fatal({ reason: error.message }, 'could not start');
      runtime.logger.flush();
      process.exitCode = 2;
      return false;
    }
    runtime.logger.fatal({ err: error }, 'could not start');
    process.exitCode = 1;
    return false;
  }
}

/** On SIGTERM or SIGINT: no new requests, the work in flight finishes (bounded), then the process exits. */
function stopOnSignals({ slack, runtime, state, handle }: App): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info(
      { signal, inFlight: handle.inFlight.size },
      'stopping: no new requests; finishing commands in flight',
    );
    const { drained } = await handle.stop(slack.drainMs);
    await state.close();
    runtime.logger.info({ drained }, 'stopped');
    runtime.logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  loadEnvFile();
  // Known before anything is parsed, so not even a configuration error can print a secret.
  const redactor = addEnvSecrets(new Redactor(), process.env);
  const config = loadConfig(redactor);
  if (!config) return;
  const app = await build(config, redactor);
  if (!(await start(app, redactor))) return;
  logStrays(app.runtime.logger);
  stopOnSignals(app);
}

await main();
