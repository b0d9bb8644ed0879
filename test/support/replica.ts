import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import type { ImStandIn } from '../../stand-ins/im-stand-in.js';
import { blockActionBody, commandBody, signedHeaders } from '../../stand-ins/slack-signing.js';
import type { SlackStandIn } from '../../stand-ins/slack-stand-in.js';
import { freePort } from './free-port.js';
import { ALLOWED, CHANNEL, SIGNING_SECRET, standInEnv } from './slack-fixture.js';
import { waitFor } from './wait-for.js';

/** One real markread process (`dist/src/main.js`) in HTTP mode, pointed at the stand-ins and a Redis. */
export interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  output(): string;
  health(): Promise<Record<string, unknown>>;
  /** Posts a signed body as Slack would; returns the status and the ack's body. */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  command(text: string, responseId: string): Promise<{ status: number; body: string }>;
  /** `user` presses a button (the allowed on-call person by default). */
  press(actionId: string, value: string, responseId: string, user?: string): Promise<{ status: number; body: string }>;
  /** Not exited (nor killed). */
  alive(): boolean;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startReplica(
  name: string,
  im: ImStandIn,
  slack: SlackStandIn,
  env: Record<string, string>,
  /** The IM variables for the stand-in at `url` (TIM_APPS and TIM_<NAME>_* for several apps); TIM_* by default. */
  imVariables?: (url: string) => Record<string, string>,
): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve('dist/src/main.js')], {
    cwd: mkdtempSync(join(tmpdir(), `markread-${name}-`)),
    env: {
      ...standInEnv(im, slack, imVariables),
      PATH: process.env.PATH ?? '',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const base = `http://127.0.0.1:${port}`;
  const post = async (body: string, headers = signedHeaders(SIGNING_SECRET, body)) => {
    const res = await request(`${base}/slack/events`, { method: 'POST', headers, body });
    return { status: res.statusCode, body: await res.body.text() };
  };
  const replica: Replica = {
    name,
    port,
    child,
    output: () => output,
    async health() {
      const res = await request(`${base}/healthz`);
      return (await res.body.json()) as Record<string, unknown>;
    },
    post,
    command: (text, responseId) =>
      post(commandBody({ text, user_id: ALLOWED, channel_id: CHANNEL, response_url: slack.responseUrl(responseId) })),
    press: (actionId, value, responseId, user = ALLOWED) =>
      post(
        blockActionBody({
          user_id: user,
          action_id: actionId,
          value,
          channel_id: CHANNEL,
          response_url: slack.responseUrl(responseId),
        }),
      ),
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited before it was up`);
      return request(`${base}/healthz`).then(
        (res) => res.body.dump().then(() => res.statusCode === 200),
        () => false, // not listening yet
      );
    },
    { what: `replica ${name} to answer /healthz`, timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return replica;
}
