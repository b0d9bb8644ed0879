import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

/**
 * A real Redis for the tests: MARKREAD_TEST_REDIS_URL if set, otherwise a `redis-server` of our own on a free
 * port (nothing kept on disk). Undefined when neither can be had: the caller skips, saying why.
 */
export interface TestRedis {
  url: string;
  /** Stops the server (tests of "Redis went away"); undefined for an external Redis we must not stop. */
  stop?: () => Promise<void>;
  /** Starts it again on the same port, empty (as a restart without persistence is). */
  restart?: () => Promise<void>;
  close(): Promise<void>;
}

export const NO_REDIS =
  'no Redis: install redis-server (apt-get install -y redis-server) or set MARKREAD_TEST_REDIS_URL';

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startTestRedis(): Promise<TestRedis | undefined> {
  const external = process.env.MARKREAD_TEST_REDIS_URL;
  if (external) return { url: external, close: async () => {} };
  if (!redisServerInstalled()) return undefined;
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    await waitForPing(port);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, restart: start, close: stop };
}

async function waitForPing(port: number): Promise<void> {
  await waitFor(
    async () => {
      const probe = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false; // not up yet
      } finally {
        probe.disconnect();
      }
    },
    { what: `redis-server to answer on port ${port}`, intervalMs: 50 },
  );
}
