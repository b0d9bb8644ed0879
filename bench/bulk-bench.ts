import { performance } from 'node:perf_hooks';
import { noAudit } from '../src/audit/sink.js';
import { Secret } from '../src/config/secret.js';
import { countOneToOne, oneToOnePeers, pairsFor } from '../src/domain/conversations.js';
import { runMarkRead } from '../src/domain/mark-read-run.js';
import { ImClient } from '../src/im/client.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { maxInSlidingWindow } from '../test/support/im-fixture.js';
import { ChildImStandIn } from './child-stand-in.js';
import { round } from './im-client-bench.js';

const KEY = 'bench-secret-key-0123456789';

function client(url: string, maxRps: number): ImClient {
  return new ImClient({
    settings: {
      sdkAppId: 1400000001,
      secretKey: new Secret(KEY),
      adminIdentifier: 'administrator',
      endpoint: { primary: new URL(url) },
      maxRps,
      timeoutMs: 5_000,
      deadlineMs: 120_000,
      userSigTtlSeconds: 86_400,
    },
    // The audit lines are part of the work; they go to a sink so the terminal stays readable.
    logger: createLogger({ level: 'info', redactor: new Redactor(), destination: { write: () => undefined } }),
  });
}

/** Samples this process's resident memory until stopped; returns the peak in MiB. */
function peakRss(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return () => {
    clearInterval(timer);
    return round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20, 1);
  };
}

/** `markread <user> --all` against a stand-in with `conversations` one-to-one conversations, in another process. */
export async function benchAll(conversations: number, maxRps: number) {
  const standIn = await ChildImStandIn.start({ STANDIN_SECRET_KEY: KEY, STANDIN_SEED: `alice:${conversations}` });
  const im = client(standIn.url, maxRps);
  global.gc?.();
  const rssBefore = round(process.memoryUsage().rss / 2 ** 20, 1);
  const stopSampling = peakRss();
  const started = performance.now();
  const summary = await runMarkRead(
    { client: im, name: 'bench', sdkAppId: 1 },
    pairsFor('alice', oneToOnePeers(im, 'alice')),
    { audit: { sink: noAudit, actor: { kind: 'markread' }, via: 'system' } },
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = stopSampling();
  const { times } = await standIn.arrivals();
  await im.close();
  await standIn.stop();
  const sorted = times.sort((a, b) => a - b);
  const rate = (sorted.length - 1) / (((sorted.at(-1) as number) - (sorted[0] as number)) / 1000);
  const most = maxInSlidingWindow(sorted);
  return {
    conversations,
    ok: summary.ok,
    'unread before → after': `${summary.unreadBefore} → ${summary.unreadAfter}`,
    seconds: round(seconds, 1),
    'marks/s': round(rate, 1),
    '% of TIM_MAX_RPS': round((rate / maxRps) * 100, 1),
    'most in any second': most,
    'over ceiling': Math.max(0, most - maxRps),
    'RSS before MiB': rssBefore,
    'peak RSS MiB': peak,
  };
}

/** Paging alone over a very long conversation list: memory should not grow with the list. */
export async function benchPaging(conversations: number) {
  const standIn = await ChildImStandIn.start({ STANDIN_SECRET_KEY: KEY, STANDIN_SEED: `alice:${conversations}` });
  const im = client(standIn.url, 200);
  // Run with --expose-gc (npm run bench does) so heap growth is what stays live, not garbage not yet collected.
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const stopSampling = peakRss();
  const started = performance.now();
  const counted = await countOneToOne(im, 'alice');
  const seconds = (performance.now() - started) / 1000;
  const peak = stopSampling();
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  await im.close();
  await standIn.stop();
  return {
    conversations: counted,
    pages: Math.ceil(counted / 100),
    seconds: round(seconds, 1),
    'live heap growth MiB': round((heapAfter - heapBefore) / 2 ** 20, 1),
    'peak RSS MiB': peak,
  };
}
