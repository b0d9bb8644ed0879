import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { round } from './im-client-bench.js';
import { LoadProcess, SIGNING_SECRET, sendCommand } from './load.js';

export { SIGNING_SECRET };

export const BOT_TOKEN = 'xoxb-bench-token';
export const SECRET_KEY = 'bench-im-secret-key-000000';
export const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
export const BARE = fileURLToPath(new URL('./bare-bolt.js', import.meta.url));

/** The figures the "One process" issue holds markread to, beside bare Bolt in the same run. */
export const TARGETS = {
  sequentialP50Ratio: 1.15,
  concurrentP99Ratio: 1.5,
  burstMaxAckMs: 500,
  rssRatio: 1.3,
  steadyP99Ms: 100,
  steadyPeakMiB: 200,
  steadyAfterOfIdle: 0.2,
};

export const verdict = (met: boolean) => (met ? 'met' : 'missed');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export interface RunningApp {
  child: ChildProcess;
  port: number;
  rssMiB(): number;
  inFlight(): Promise<number>;
  /** The job queue /healthz reports (bare Bolt has none: zeros). */
  queue(): Promise<{ running: number; waiting: number }>;
  stop(): Promise<void>;
}

export async function startApp(script: string, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const child = fork(script, {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const health = async () => {
    const res = await request(`http://127.0.0.1:${port}/healthz`);
    return (await res.body.json()) as { ok: boolean; inFlight: number; queue?: { running: number; waiting: number } };
  };
  for (let i = 0; ; i++) {
    try {
      if ((await health()).ok) break;
    } catch {
      if (i > 200) throw new Error(`${script} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    port,
    rssMiB: () => rssOf(child.pid ?? 0),
    inFlight: async () => (await health()).inFlight,
    queue: async () => (await health()).queue ?? { running: 0, waiting: 0 },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number, 2);
}

export async function drained(app: RunningApp): Promise<void> {
  while ((await app.inFlight()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** The stand-ins and the environment every benchmarked app (bare Bolt and markread) runs with. */
export async function benchWorld() {
  const im = new ImStandIn({ sdkAppId: 1400000001, identifier: 'administrator', secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  await Promise.all([im.start(), slack.start()]);
  const env: Record<string, string> = {
    TIM_SDKAPPID: '1400000001',
    TIM_SECRET_KEY: SECRET_KEY,
    TIM_BASE_URL: im.url,
    TIM_MAX_RPS: '200',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    MARKREAD_ALLOWED_USERS: 'U0BENCH',
  };
  return { im, slack, env, stop: () => Promise.all([im.stop(), slack.stop()]) };
}

/** Outcomes delivered: thread replies posted since `from` (an index into the stand-in's calls). */
export function repliesSince(slack: SlackStandIn, from: number): number {
  let n = 0;
  for (let i = from; i < slack.calls.length; i++) {
    const c = slack.calls[i];
    if (c?.method === 'chat.postMessage' && c.args.thread_ts !== undefined) n++;
  }
  return n;
}

/** One ack-latency row: the same load on bare Bolt and on markread, with its target. */
function latencyRow(load: string, bare: number[], app: number[], target: { p: 50 | 99; ratio: number }) {
  const ratio = round(pct(app, target.p) / pct(bare, target.p), 2);
  return {
    load,
    'bare Bolt p50 ms': pct(bare, 50),
    'markread p50 ms': pct(app, 50),
    'p50 ratio': round(pct(app, 50) / pct(bare, 50), 2),
    'bare Bolt p99 ms': pct(bare, 99),
    'markread p99 ms': pct(app, 99),
    'p99 ratio': round(pct(app, 99) / pct(bare, 99), 2),
    target: `p${target.p} <= ${target.ratio}x`,
    result: verdict(ratio <= target.ratio),
  };
}

/**
 * Warms both apps up (JIT and connection set-up do not count), then runs each load on bare Bolt and on markread,
 * one after the other. markread does all its work meanwhile: each command's follow-up (IM calls, thread messages)
 * runs beside the acks of the commands after it. It finishes that work between loads.
 */
async function ackRows(load: LoadProcess, bare: RunningApp, app: RunningApp) {
  await load.run('acks', bare.port, 200, 10, 'U0BENCH');
  await load.run('acks', app.port, 200, 10, 'U0BENCH');
  await drained(app);
  const loads = [
    { label: 'sequential', count: 500, concurrency: 1, target: { p: 50, ratio: TARGETS.sequentialP50Ratio } },
    { label: '50 concurrent', count: 2_000, concurrency: 50, target: { p: 99, ratio: TARGETS.concurrentP99Ratio } },
  ] as const;
  const rows = [];
  for (const { label, count, concurrency, target } of loads) {
    const b = await load.run('acks', bare.port, count, concurrency, 'U0BENCH');
    const m = await load.run('acks', app.port, count, concurrency, 'U0BENCH');
    await drained(app);
    rows.push(latencyRow(`${label} (${count} commands)`, b, m, target));
  }
  return rows;
}

/** Command to thread reply, one at a time, beside a bare Bolt ack. */
async function endToEndRow(app: RunningApp, bare: RunningApp, slack: SlackStandIn) {
  const e2e: number[] = [];
  const bareAck: number[] = [];
  for (let i = 0; i < 100; i++) {
    const from = slack.calls.length;
    const started = performance.now();
    await sendCommand(app.port, `e2e${i}`);
    await slack.until(() => repliesSince(slack, from) > 0, 10_000);
    e2e.push(performance.now() - started);
    bareAck.push(await sendCommand(bare.port, `e2e${i}`));
  }
  return {
    'markread p50 ms': pct(e2e, 50),
    'markread p99 ms': pct(e2e, 99),
    'bare Bolt ack p50 ms': pct(bareAck, 50),
    'ratio p50': round(pct(e2e, 50) / pct(bareAck, 50), 1),
  };
}

/** `count` commands at once: the acks, and how long until every outcome was delivered in its thread. */
export async function burstRows(
  load: LoadProcess,
  bare: RunningApp,
  app: RunningApp,
  slack: SlackStandIn,
  count = 450,
) {
  const bareAcks = await load.run('burst', bare.port, count);
  const from = slack.calls.length;
  let peak = app.rssMiB();
  const sampler = setInterval(() => (peak = Math.max(peak, app.rssMiB())), 100);
  const started = performance.now();
  const acks = await load.run('burst', app.port, count);
  await slack.until(() => repliesSince(slack, from) >= count, 120_000).catch(() => {});
  const deliveredAfter = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const delivered = repliesSince(slack, from);
  const maxAck = round(Math.max(...acks), 1);
  const row = (app: string, latencies: number[]) => ({
    app,
    commands: latencies.length,
    'p50 ms': pct(latencies, 50),
    'p99 ms': pct(latencies, 99),
    'max ms': round(Math.max(...latencies), 1),
  });
  return [
    { ...row('bare Bolt', bareAcks), 'outcomes delivered': '-', target: '-', result: '-' },
    {
      ...row('markread', acks),
      'outcomes delivered': `${delivered} of ${count} in ${round(deliveredAfter, 1)} s`,
      'peak RSS MiB': round(peak, 1),
      target: `max ack < ${TARGETS.burstMaxAckMs} ms, every outcome delivered`,
      result: verdict(maxAck < TARGETS.burstMaxAckMs && delivered >= count),
    },
  ];
}

export async function benchSlack(): Promise<void> {
  const { im, slack, env } = await benchWorld();
  const bare = await startApp(BARE, env);
  const app = await startApp(MAIN, env);
  const load = await LoadProcess.start();
  try {
    console.log(
      '# Ack latency: signed slash commands over HTTP on loopback, markread as npm start runs it (one process doing all the work), beside bare Bolt',
    );
    console.table(await ackRows(load, bare, app));
    console.log(
      '# Command to thread reply (ack, parent post, IM call, thread reply), 100 sequential commands, beside a bare Bolt ack',
    );
    console.table([await endToEndRow(app, bare, slack)]);
    console.log('# Burst: 450 commands at once');
    console.table(await burstRows(load, bare, app, slack));
    await drained(app);
    console.log('# Resident memory after the ack benchmarks');
    const ratio = round(app.rssMiB() / bare.rssMiB(), 2);
    console.table([
      {
        'bare Bolt RSS MiB': round(bare.rssMiB(), 1),
        'markread RSS MiB': round(app.rssMiB(), 1),
        ratio,
        target: `<= ${TARGETS.rssRatio}x bare Bolt`,
        result: verdict(ratio <= TARGETS.rssRatio),
      },
    ]);
    if (process.env.BENCH_STEADY !== '0') {
      const seconds = Number(process.env.BENCH_STEADY_SECONDS ?? 60);
      console.log(
        `# Steady load: 167 commands/s for ${seconds} s (each needs 1 mark and 2 counts on 200/s budgets), RSS of the whole app`,
      );
      console.log(
        '# on a markread started for it (idle = after start and 100 warm-up commands, not after the runs above)',
      );
      const fresh = await startApp(MAIN, env);
      try {
        await load.run('acks', fresh.port, 100, 1, 'U0BENCH');
        await drained(fresh);
        console.table([await steadyLoad(load, fresh, slack, 167, seconds)]);
      } finally {
        await fresh.stop();
      }
    }
    console.log(
      '# Resident memory over 10,000 commands (each batch of 500 finished before the next); expected: flat from 5,000 to 10,000',
    );
    console.table(await memoryOver(load, app));
  } finally {
    await load.stop();
    await app.stop();
    await bare.stop();
    await Promise.all([im.stop(), slack.stop()]);
  }
}

/** 10,000 commands in batches (each batch drained), RSS read every 2,500. */
async function memoryOver(load: LoadProcess, app: RunningApp) {
  const rss: Array<{ commands: number; 'RSS MiB': number }> = [{ commands: 0, 'RSS MiB': round(app.rssMiB(), 1) }];
  for (let done = 0; done < 10_000; ) {
    await load.run('acks', app.port, 500, 25, 'U0BENCH');
    done += 500;
    await drained(app);
    if (done % 2_500 === 0) rss.push({ commands: done, 'RSS MiB': round(app.rssMiB(), 1) });
  }
  return rss;
}

/** Why counts were unknown in the thread replies since `from`, the three most common, or undefined. */
function unknownCounts(slack: SlackStandIn, from: number) {
  const unread = slack.calls
    .slice(from)
    .filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined)
    .map((c) => /\*Unread\*: ([^\n"]*)/.exec(JSON.stringify(c.args.blocks ?? c.args.text))?.[1] ?? '');
  const why = new Map<string, number>();
  for (const u of unread.filter((u) => /unknown/.test(u))) {
    const key = u.replace(/\d+/g, 'N').slice(0, 120);
    why.set(key, (why.get(key) ?? 0) + 1);
  }
  const unknown = [...why.values()].reduce((a, b) => a + b, 0);
  return { share: `${round((100 * unknown) / Math.max(1, unread.length), 1)} %`, why };
}

/**
 * A steady stream of commands at `rate` per second for `seconds`, with markread's RSS sampled every 250 ms; RSS is
 * read again 30 s after the load ended (the backlog drained first).
 */
export async function steadyLoad(
  load: LoadProcess,
  app: RunningApp,
  slack: SlackStandIn,
  rate: number,
  seconds: number,
) {
  const idle = app.rssMiB();
  let peak = idle;
  let mostJobs = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, app.rssMiB());
    void app.queue().then(
      (q) => (mostJobs = Math.max(mostJobs, q.running + q.waiting)),
      () => undefined,
    );
  }, 250);
  const from = slack.calls.length;
  const latencies = await load.run('steady', app.port, rate, seconds);
  const ended = performance.now();
  await drained(app);
  clearInterval(sampler);
  const drainedAfter = (performance.now() - ended) / 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, ended + 30_000 - performance.now())));
  const after = app.rssMiB();
  const { share, why } = unknownCounts(slack, from);
  if (why.size > 0)
    console.log(
      `# steady load, why counts were unknown: ${JSON.stringify([...why].sort((a, b) => b[1] - a[1]).slice(0, 3))}`,
    );
  const sent = rate * seconds;
  const p99 = pct(latencies, 99);
  const met =
    latencies.length === sent &&
    p99 < TARGETS.steadyP99Ms &&
    peak <= TARGETS.steadyPeakMiB &&
    // Back to idle: no more than 20 % over it (less is fine: the load left nothing behind).
    after <= idle * (1 + TARGETS.steadyAfterOfIdle);
  return {
    acked: `${latencies.length} of ${sent}`,
    'ack p50 ms': pct(latencies, 50),
    'ack p99 ms': p99,
    'ack max ms': round(Math.max(...latencies), 1),
    'idle RSS MiB': round(idle, 1),
    'peak RSS MiB': round(peak, 1),
    'RSS 30 s after MiB': round(after, 1),
    'backlog drained after s': round(drainedAfter, 1),
    'most jobs at once': mostJobs,
    'outcomes with a count unknown': share,
    target: `all acked, p99 < ${TARGETS.steadyP99Ms} ms, peak <= ${TARGETS.steadyPeakMiB} MiB, 30 s after at most ${100 * TARGETS.steadyAfterOfIdle} % over idle`,
    result: verdict(met),
  };
}
