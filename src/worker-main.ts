/**
 * markread's worker process, forked by `npm start` (src/main.ts): it runs the follow-up work of the commands the
 * web process acks (IM calls, thread messages, bulk runs), so that work never delays an ack. It is not started by
 * hand: jobs, runs and stop requests come from the web process over IPC.
 */
import { loadImConfig } from './config/im-config.js';
import { loadSlackConfig } from './config/slack-config.js';
import { createImRuntime } from './im-runtime.js';
import { createLogger } from './log/logger.js';
import { addEnvSecrets, Redactor } from './log/redactor.js';
import { logStrays } from './process-guards.js';
import { drainOrInterrupt, stopTakingWork } from './slack/drain.js';
import { InFlight } from './slack/in-flight.js';
import { createResponder } from './slack/response-url.js';
import { LocalRuns } from './slack/runs.js';
import { SlackJobs } from './slack/slack-jobs.js';
import { createWebClient } from './slack/web-client.js';
import { serveBudgets } from './work/ipc-budget.js';
import { IpcJobSource } from './work/ipc-journal.js';
import { type IpcChannel, IpcPeer } from './work/ipc-peer.js';
import { IpcRunStore } from './work/ipc-run-store.js';

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('markread: worker-main.js is started by markread itself (npm start), not by hand\n');
    process.exitCode = 2;
    return;
  }
  // The Slack tokens and the secret key are in this environment, so the redactor knows them from here on.
  const redactor = addEnvSecrets(new Redactor(), process.env);
  // The web process validated this same environment before it forked us; a failure here is reported, not retried.
  const im = loadImConfig(process.env);
  const slack = loadSlackConfig(process.env);
  const logger = createLogger({ level: im.config.logLevel, redactor }).child({ process: 'worker' });
  logStrays(logger);
  const peer = new IpcPeer(process as unknown as IpcChannel);
  // This process's pacers are the one budget: its own calls and the web process's draw on them.
  const runtime = createImRuntime(im.config, { redactor, logger, client: { budget: serveBudgets(peer) } });
  const slackLog = logger.child({ component: 'slack' });
  const runs = new IpcRunStore(peer);
  const local = new LocalRuns();
  const inFlight = new InFlight();
  const flow = {
    logger: slackLog,
    app: runtime.app,
    respond: createResponder({ redactor, logger: slackLog, apiUrl: slack.apiUrl }),
    web: createWebClient(slack, redactor, slackLog),
  };
  const jobs = new SlackJobs(new IpcJobSource(peer), { flow, runs, local, inFlight, logger: slackLog });
  await jobs.start();

  let stopping: Promise<void> | undefined;
  const stop = (drainMs: number) =>
    (stopping ??= (async () => {
      await stopTakingWork(jobs, local, runs);
      await drainOrInterrupt(inFlight, drainMs, slackLog);
      await runtime.app.client.close();
      logger.flush();
      process.exit(0);
    })());
  // Answered only while this event loop turns: the web process kills a worker that stops answering.
  peer.handle('ping', () => 'pong');
  peer.handle('stop', (drainMs: unknown) => void stop(typeof drainMs === 'number' ? drainMs : slack.drainMs));
  // The web process is gone (killed): finish what is in flight, tell whoever cannot be finished, and go.
  process.on('disconnect', () => void stop(slack.drainMs));
  // Signals are the web process's to act on (a terminal's Ctrl-C reaches both): it tells us when to stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  peer.note('ready');
}

await main();
