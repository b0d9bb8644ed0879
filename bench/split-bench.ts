import { startTestRedis } from '../test/support/redis-server.js';
import { round } from './im-client-bench.js';
import { LoadProcess } from './load.js';
import {
  ackTable,
  BARE,
  benchWorld,
  burstRow,
  drained,
  MAIN,
  type RunningApp,
  startApp,
  steadyLoad,
} from './slack-bench.js';

/**
 * The same ack benchmarks with the work moved off the acking process: a web replica (MARKREAD_ROLE=web) acks and
 * records each command in Redis, a worker replica (MARKREAD_ROLE=worker) does the follow-up work. Bare Bolt is
 * measured beside it in the same run, as in the single-process section.
 */
export async function benchSplit(): Promise<void> {
  const redis = await startTestRedis();
  if (!redis) {
    console.log('# web + worker: skipped, no redis-server and no MARKREAD_TEST_REDIS_URL');
    return;
  }
  const world = await benchWorld();
  const { slack } = world;
  const env = { ...world.env, REDIS_URL: redis.url, MARKREAD_REDIS_PREFIX: 'bench-split' };
  const bare = await startApp(BARE, env);
  const web = await startApp(MAIN, { ...env, MARKREAD_ROLE: 'web' });
  const worker = await startApp(MAIN, { ...env, MARKREAD_ROLE: 'worker' });
  // "Drained" is when the worker has finished what the web replica recorded.
  const pair: RunningApp = {
    ...web,
    inFlight: async () => (await web.inFlight()) + (await worker.inFlight()) + (await pendingIn(redis.url)),
  };
  const load = await LoadProcess.start();
  try {
    const rows = await ackTable(
      load,
      bare,
      pair,
      [
        { label: 'sequential, worker paused', count: 500, concurrency: 1, paused: true },
        { label: '50 concurrent, worker paused', count: 2_000, concurrency: 50, paused: true },
        { label: 'sequential', count: 500, concurrency: 1 },
        { label: '50 concurrent', count: 2_000, concurrency: 50 },
      ],
      (signal) => worker.child.kill(signal),
      'web replica',
    );
    console.log('# Ack latency, web replica + worker replica on Redis (MARKREAD_ROLE), beside bare Bolt');
    console.table(rows);
    const bareBurst = await load.run('burst', bare.port, 450);
    const burst = await load.run('burst', web.port, 450);
    await drained(pair);
    console.log('# Burst of 450 at once, web replica + worker');
    console.table([burstRow('bare Bolt', bareBurst), burstRow('web replica', burst)]);
    console.log('# Resident memory after these benchmarks, each process');
    console.table([
      {
        'bare Bolt RSS MiB': round(bare.rssMiB(), 1),
        'web RSS MiB': round(web.rssMiB(), 1),
        'web ratio': round(web.rssMiB() / bare.rssMiB(), 2),
        'worker RSS MiB': round(worker.rssMiB(), 1),
      },
    ]);
    if (process.env.BENCH_STEADY !== '0') {
      const seconds = Number(process.env.BENCH_STEADY_SECONDS ?? 60);
      const steady = await steadyLoad(load, pair, slack, 167, seconds);
      console.log(
        `# Steady load on the web replica: 167 commands/s for ${seconds} s, the worker doing the work; RSS is the web replica's`,
      );
      console.table([{ ...steady, 'worker RSS MiB after': round(worker.rssMiB(), 1) }]);
    }
  } finally {
    await load.stop();
    await Promise.all([web.stop(), worker.stop(), bare.stop()]);
    await world.stop();
    await redis.close();
  }
}

/** Jobs recorded but not yet finished: the stream's length (finished jobs are deleted). */
async function pendingIn(url: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    return await client.xlen('bench-split:1400000001:work');
  } finally {
    client.disconnect();
  }
}
