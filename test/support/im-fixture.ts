import { Secret } from '../../src/config/secret.js';
import { ImClient, type ImClientOptions, type ImClientSettings } from '../../src/im/client.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redactor.js';
import { type ImBehaviour, ImStandIn, type ImStandInOptions } from '../../stand-ins/im-stand-in.js';

export const SDK_APP_ID = 1400012345;
export const SECRET_KEY = 'test-secret-key-5f0c2a9e7d1b4c83';
export const ADMIN = 'administrator';

/**
 * An IM stand-in behaviour: the first `command` call for `peer` answers OK after `delayMs` (a slow server while a
 * test kills or stops something); every other call is answered as usual.
 */
export function slowOnce(command: string, peer: string, delayMs: number): ImBehaviour {
  let first = true;
  return (x) => {
    if (x.command !== command || (x.body as { Peer_Account?: string }).Peer_Account !== peer || !first) return;
    first = false;
    return { json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs };
  };
}

/** The IM variables of a markread process pointed at an IM stand-in (or any base URL). */
export function imEnv(baseUrl: string): Record<string, string> {
  return { TIM_SDKAPPID: String(SDK_APP_ID), TIM_SECRET_KEY: SECRET_KEY, TIM_BASE_URL: baseUrl };
}

/** Collects log lines as written (after redaction), parsed. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get records(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface ImFixture {
  /** The IM app the domain acts on, as the audit trail names it. */
  name: string;
  sdkAppId: number;
  standIn: ImStandIn;
  client: ImClient;
  logs: LogCapture;
  logger: Logger;
  redactor: Redactor;
  newSigs: string[];
  close(): Promise<void>;
}

export async function startImFixture(
  options: {
    settings?: Partial<ImClientSettings>;
    client?: Partial<ImClientOptions>;
    standIn?: Partial<ImStandInOptions>;
  } = {},
): Promise<ImFixture> {
  const standIn = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY, ...options.standIn });
  const url = await standIn.start();
  const logs = new LogCapture();
  const redactor = new Redactor();
  redactor.addSecret(SECRET_KEY);
  const logger = createLogger({ level: 'debug', redactor, destination: logs });
  const newSigs: string[] = [];
  const settings: ImClientSettings = {
    sdkAppId: SDK_APP_ID,
    secretKey: new Secret(SECRET_KEY),
    adminIdentifier: ADMIN,
    endpoint: { primary: new URL(url) },
    maxRps: 190,
    timeoutMs: 1_000,
    deadlineMs: 5_000,
    userSigTtlSeconds: 86_400,
    ...options.settings,
  };
  const client = new ImClient({
    settings,
    logger,
    onNewUserSig: (sig) => {
      newSigs.push(sig);
      redactor.addUserSig(sig);
    },
    backoff: { baseMs: 10, slowDownBaseMs: 20, capMs: 100 },
    ...options.client,
  });
  return {
    name: 'test',
    sdkAppId: SDK_APP_ID,
    standIn,
    client,
    logs,
    logger,
    redactor,
    newSigs,
    async close() {
      await client.close();
      await standIn.stop();
    },
  };
}

/** The largest number of timestamps (ms) that fall in any window of `windowMs`. */
export function maxInSlidingWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

/** Fixtures for one test file, all closed by the `after` hook the file registers with `closeAll`. */
export function fixturePool() {
  const started: ImFixture[] = [];
  return {
    async fixture(...args: Parameters<typeof startImFixture>): Promise<ImFixture> {
      const f = await startImFixture(...args);
      started.push(f);
      return f;
    },
    closeAll: () => Promise.all(started.map((f) => f.close())),
  };
}
