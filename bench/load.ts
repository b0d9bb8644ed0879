import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { commandBody, signedHeaders } from '../stand-ins/slack-signing.js';

export const SIGNING_SECRET = 'bench0signing0secret000000000000';

let sent = 0;
/** One signed slash command; resolves with the ack's latency in ms. */
export async function sendCommand(port: number, user: string, slackUser = 'U0BENCH'): Promise<number> {
  const body = commandBody({
    text: `${user} peer`,
    user_id: slackUser,
    channel_id: 'C0BENCH',
    response_url: `http://127.0.0.1:9/unused/${++sent}`,
  });
  const started = performance.now();
  const res = await request(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: signedHeaders(SIGNING_SECRET, body),
    body,
  });
  await res.body.dump();
  const ms = performance.now() - started;
  if (res.statusCode !== 200) throw new Error(`ack status ${res.statusCode}`);
  return ms;
}

export async function acks(port: number, count: number, concurrency: number, slackUser = 'U0BENCH'): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        latencies.push(await sendCommand(port, `u${next}`, slackUser));
      }
    }),
  );
  return latencies;
}

export const burstOf = (port: number, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => sendCommand(port, `burst${i}`)));

/** `rate` commands per second for `seconds`, each sent on time whatever the acks before it are doing. */
export async function steadyOf(port: number, rate: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // A command not acked (an error, a non-200) is left out of the latencies: the caller counts them.
    pending.push(
      sendCommand(port, `steady${i}`).then(
        (ms) => void latencies.push(ms),
        () => {},
      ),
    );
  }
  await Promise.all(pending);
  return latencies;
}

const LOADS = { acks, burst: burstOf, steady: steadyOf } as const;
type Loads = typeof LOADS;

/**
 * The load generator in a process of its own: the bench process also hosts the Slack and IM stand-ins, which serve
 * markread's follow-up calls (and not bare Bolt's, which makes none). Timing acks on that same event loop would
 * charge markread for the stand-ins' work.
 */
export class LoadProcess {
  private next = 1;

  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(child, 'message');
    return new LoadProcess(child);
  }

  run<K extends keyof Loads>(load: K, ...args: Parameters<Loads[K]>): Promise<number[]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id: number; latencies?: number[]; error?: string }) => {
        if (m.id !== id) return;
        this.child.off('message', onMessage);
        if (m.latencies) resolve(m.latencies);
        else reject(new Error(m.error));
      };
      this.child.on('message', onMessage);
      this.child.send({ id, load, args });
    });
  }

  async stop(): Promise<void> {
    this.child.disconnect();
    if (this.child.exitCode === null) await once(this.child, 'exit');
  }
}

if (process.argv[2] === 'serve' && process.send) {
  process.on('message', async (m: { id: number; load: keyof Loads; args: unknown[] }) => {
    try {
      const latencies = await (LOADS[m.load] as (...a: unknown[]) => Promise<number[]>)(...m.args);
      process.send?.({ id: m.id, latencies });
    } catch (error) {
      process.send?.({ id: m.id, error: String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
