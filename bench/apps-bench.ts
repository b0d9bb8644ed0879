import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { LoadProcess } from './load.js';
import { sideBySide } from './metrics-bench.js';
import { benchWorld, MAIN, startApp } from './slack-bench.js';

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
    console.table(await sideBySide(load, one, several, { off: 'one app', on: 'two apps' }));
  } finally {
    await load.stop();
    await Promise.all([one.stop(), several.stop(), staging.stop()]);
    await stop();
  }
}
