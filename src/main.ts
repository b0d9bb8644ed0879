/**
 * `npm start`: the Slack app. Reads .env and the environment, reports every configuration problem at once,
 * then serves /markread until SIGTERM or SIGINT, when it finishes the commands in flight before exiting.
 */
import { ConfigError } from './config/config-error.js';
import { loadEnvFile } from './config/env-file.js';
import { type LoadedImConfig, loadImConfig } from './config/im-config.js';
import { loadRedisConfig, type RedisConfig } from './config/redis-config.js';
import { loadSlackConfig, type SlackConfig } from './config/slack-config.js';
import { createImRuntime } from './im-runtime.js';
import { createLogger } from './log/logger.js';
import { addEnvSecrets, Redactor } from './log/redactor.js';
import { logStrays } from './process-guards.js';
import { createSlackApp } from './slack/app.js';
import { StartupError } from './slack/socket/startup-error.js';
import { forkedState, memoryState, redisState } from './state/shared-state.js';
import { WorkerProcess } from './work/worker-process.js';

async function main(): Promise<void> {
  loadEnvFile();
  // Known before anything is parsed, so not even a configuration error can print a secret.
  const redactor = addEnvSecrets(new Redactor(), process.env);
  const problems: string[] = [];
  let im: LoadedImConfig | undefined;
  let slack: SlackConfig | undefined;
  let redis: RedisConfig | undefined;
  try {
    im = loadImConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    redis = loadRedisConfig(process.env, im?.config.sdkAppId ?? 0);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    slack = loadSlackConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!im || !slack) {
    process.stderr.write(
      redactor.scrub(
        `markread cannot start; fix these and start it again (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
      ),
    );
    process.exitCode = 2;
    return;
  }

  // The logger exists before Redis does: the shared state logs through it, and its budgets go into the client.
  const logger = createLogger({ level: im.config.logLevel, redactor });
  // Without Redis, the work runs in a worker process this one forks (unless MARKREAD_WORKER=inline).
  const worker =
    !redis && slack.worker === 'process'
      ? new WorkerProcess({ env: process.env, logger, unresponsiveMs: slack.workerTimeoutMs })
      : undefined;
  const workerReady = worker?.start();
  const state = redis ? redisState(redis, logger) : worker ? forkedState(worker) : memoryState();
  if (redis && !(await (state as ReturnType<typeof redisState>).link.ready(5_000)))
    logger.error(
      { redis: 'down', where: redis.where },
      'redis is not reachable at start-up: starting anyway; single marks use a local budget and bulk runs wait for it',
    );
  const runtime = createImRuntime(im.config, { redactor, logger, client: { budget: state.budgets } });
  for (const warning of im.warnings) runtime.logger.warn(warning);
  const handle = createSlackApp(slack, runtime, { state });
  try {
    const [, workerUp] = await Promise.all([handle.start(), workerReady]);
    if (workerUp === false)
      runtime.logger.error('the worker process is not ready yet; commands are acked and their work waits for it');
  } catch (error) {
    await worker?.stop(0, 1_000);
    await runtime.app.client.close();
    await state.close();
    if (error instanceof StartupError) {
      // One line that names what to fix; a stack trace would bury it.
      process.stderr.write(redactor.scrub(`markread cannot start: ${error.message}\n`));
      runtime.logger.fatal({ reason: error.message }, 'could not start');
      runtime.logger.flush();
      process.exitCode = 2;
      return;
    }
    runtime.logger.fatal({ err: error }, 'could not start');
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info(
      { signal, inFlight: handle.inFlight.size },
      'stopping: no new requests; finishing commands in flight',
    );
    // The worker drains at the same time, and tells the requesters of whatever it could not finish.
    const [{ drained }] = await Promise.all([handle.stop(slack.drainMs), worker?.stop(slack.drainMs)]);
    // Acked while the worker was being restarted, and so never started: told like any interrupted command.
    const notStarted = worker?.undelivered() ?? [];
    if (notStarted.length > 0) await handle.tellNotStarted(notStarted);
    await state.close();
    runtime.logger.info({ drained }, 'stopped');
    runtime.logger.flush();
    process.exit(0);
  };
  logStrays(runtime.logger);
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

await main();
