import { performance } from 'node:perf_hooks';
import { Secret } from '../src/config/secret.js';
import { adminSetMsgRead } from '../src/im/apis/admin-set-msg-read.js';
import { ImClient } from '../src/im/client.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { maxInSlidingWindow } from '../test/support/im-fixture.js';
import { ChildImStandIn } from './child-stand-in.js';

export interface PacingFigures {
  scenario: string;
  calls: number;
  ok: number;
  seconds: number;
  callsPerSecond: number;
  ofCeilingPercent: number;
  maxInAnySecond: number;
  overCeiling: number;
  cpuMicrosPerCall: number;
}

const KEY = 'bench-secret-key-0123456789';

/** Sends `calls` admin_set_msg_read calls at once through one client and measures them at a stand-in in another process. */
export async function benchPacing(
  scenario: string,
  calls: number,
  maxRps: number,
  delayMs: number,
): Promise<PacingFigures> {
  const standIn = await ChildImStandIn.start({ STANDIN_SECRET_KEY: KEY, STANDIN_DELAY_MS: String(delayMs) });
  const client = new ImClient({
    settings: {
      sdkAppId: 1400000001,
      secretKey: new Secret(KEY),
      adminIdentifier: 'administrator',
      endpoint: { primary: new URL(standIn.url) },
      maxRps,
      timeoutMs: 5_000,
      deadlineMs: 120_000,
      userSigTtlSeconds: 86_400,
    },
    logger: createLogger({ level: 'warn', redactor: new Redactor() }),
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: calls }, (_, i) =>
      adminSetMsgRead(client, { reportAccount: `user${i}`, peerAccount: 'peer' }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const { times } = await standIn.arrivals();
  await client.close();
  await standIn.stop();
  const sorted = times.sort((a, b) => a - b);
  const span = ((sorted.at(-1) as number) - (sorted[0] as number)) / 1000;
  const callsPerSecond = (sorted.length - 1) / span;
  const maxInAnySecond = maxInSlidingWindow(sorted);
  return {
    scenario,
    calls,
    ok: results.filter((r) => r.status === 'ok').length,
    seconds: round(seconds, 2),
    callsPerSecond: round(callsPerSecond, 1),
    ofCeilingPercent: round((callsPerSecond / maxRps) * 100, 1),
    maxInAnySecond,
    overCeiling: Math.max(0, maxInAnySecond - maxRps),
    cpuMicrosPerCall: round((cpu.user + cpu.system) / calls, 0),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
