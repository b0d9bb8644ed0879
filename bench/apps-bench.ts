import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { round } from './im-client-bench.js';
import { LoadProcess } from './load.js';
import { both } from './metrics-bench.js';
import { benchWorld, MAIN, pct, startApp } from './slack-bench.js';

/**
 * Acks of one markread serving one IM app (the TIM_* variables) beside one serving two (TIM_APPS=prod,staging,
 * each with its own stand-in), the same commands on the default app: what looking the app up and checking the
 * requester's access to it costs an ack.
 */
export async function benchApps(): Promise<void> {
  const { env, stop } = await benchWorld();
  const staging = new ImStandIn({
    sdkAppId: 1400000002,
    identifier: 'administrator',
    secretKey: 'staging-bench-key-1234',
  });
  await staging.start();
  const { TIM_SDKAPPID, TIM_SECRET_KEY, TIM_BASE_URL, TIM_MAX_RPS, ...rest } = env;
  const two = {
    ...rest,
    TIM_APPS: 'prod,staging',
    TIM_PROD_SDKAPPID: TIM_SDKAPPID as string,
    TIM_PROD_SECRET_KEY: TIM_SECRET_KEY as string,
    TIM_PROD_BASE_URL: TIM_BASE_URL as string,
    TIM_PROD_MAX_RPS: TIM_MAX_RPS as string,
    TIM_STAGING_SDKAPPID: '1400000002',
    TIM_STAGING_SECRET_KEY: 'staging-bench-key-1234',
    TIM_STAGING_BASE_URL: staging.url,
  };
  const one = await startApp(MAIN, env);
  const several = await startApp(MAIN, two);
  const load = await LoadProcess.start();
  try {
    console.log('# Acks with one IM app and with two (the default app), side by side: signed slash commands over HTTP');
    await both(load, one, several, 400, 10);
    const rows = [];
    for (const [label, count, concurrency] of [
      ['sequential', 500, 1],
      ['50 concurrent', 2_000, 50],
    ] as const) {
      const acks = await both(load, one, several, count, concurrency);
      rows.push({
        load: `${label} (${count} commands each)`,
        'one app p50 ms': pct(acks.off, 50),
        'two apps p50 ms': pct(acks.on, 50),
        'one app p99 ms': pct(acks.off, 99),
        'two apps p99 ms': pct(acks.on, 99),
        'p50 two/one': round(pct(acks.on, 50) / pct(acks.off, 50), 2),
      });
    }
    console.table(rows);
  } finally {
    await load.stop();
    await Promise.all([one.stop(), several.stop(), staging.stop()]);
    await stop();
  }
}
