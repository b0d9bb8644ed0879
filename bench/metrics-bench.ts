import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { round } from './im-client-bench.js';
import { LoadProcess } from './load.js';
import { benchWorld, drained, MAIN, pct, type RunningApp, startApp } from './slack-bench.js';

/**
 * One load on two apps, in the order off, on, on, off, so neither gains from going second; each drained after.
 * `off` is the baseline, `on` the app with the feature measured.
 */
export async function both(load: LoadProcess, off: RunningApp, on: RunningApp, count: number, concurrency: number) {
  const acks = { off: [] as number[], on: [] as number[] };
  for (const [which, app] of [
    ['off', off],
    ['on', on],
    ['on', on],
    ['off', off],
  ] as const) {
    acks[which].push(...(await load.run('acks', app.port, count / 2, concurrency, 'U0BENCH')));
    await drained(app);
  }
  return acks;
}

/**
 * A warm-up, then the sequential and 50-concurrent loads on both apps (alternated by `both`): a row each, with
 * p50 and p99 of the baseline (`off`) and of the other app (`on`), labelled `names`, and their ratios.
 */
export async function sideBySide(
  load: LoadProcess,
  off: RunningApp,
  on: RunningApp,
  names: { off: string; on: string },
): Promise<Record<string, string | number>[]> {
  await both(load, off, on, 400, 10);
  const rows = [];
  for (const [label, count, concurrency] of [
    ['sequential', 500, 1],
    ['50 concurrent', 2_000, 50],
  ] as const) {
    const acks = await both(load, off, on, count, concurrency);
    rows.push({
      load: `${label} (${count} commands each)`,
      [`${names.off} p50 ms`]: pct(acks.off, 50),
      [`${names.on} p50 ms`]: pct(acks.on, 50),
      [`${names.off} p99 ms`]: pct(acks.off, 99),
      [`${names.on} p99 ms`]: pct(acks.on, 99),
      [`p50 ${names.on}/${names.off}`]: round(pct(acks.on, 50) / pct(acks.off, 50), 2),
      [`p99 ${names.on}/${names.off}`]: round(pct(acks.on, 99) / pct(acks.off, 99), 2),
    });
  }
  return rows;
}

/** GET /metrics `times` times in a row: its size and how long one takes. */
async function scrapes(app: RunningApp, times: number) {
  const took: number[] = [];
  let bytes = 0;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const res = await request(`http://127.0.0.1:${app.port}/metrics`);
    bytes = (await res.body.text()).length;
    took.push(performance.now() - started);
  }
  return { 'scrape p50 ms': pct(took, 50), 'scrape p99 ms': pct(took, 99), 'scrape KiB': round(bytes / 1024, 1) };
}

/**
 * Acks of markread with MARKREAD_METRICS on (the default) and off, side by side in one run, each doing all its
 * work as npm start does: what counting costs an ack.
 */
export async function benchMetrics(): Promise<void> {
  const { env, stop } = await benchWorld();
  const off = await startApp(MAIN, { ...env, MARKREAD_METRICS: 'false' });
  const on = await startApp(MAIN, { ...env, MARKREAD_METRICS: 'true' });
  const load = await LoadProcess.start();
  try {
    console.log('# Acks with metrics on and off: signed slash commands over HTTP, each app doing all its work');
    console.table(await sideBySide(load, off, on, { off: 'off', on: 'on' }));
    console.log('# GET /metrics after those commands, 100 scrapes in a row');
    console.table([await scrapes(on, 100)]);
  } finally {
    await load.stop();
    await Promise.all([on.stop(), off.stop()]);
    await stop();
  }
}
