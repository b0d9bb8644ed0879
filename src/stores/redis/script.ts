import type { Redis } from 'ioredis';

type ScriptArg = string | number;

/**
 * A Lua script registered on a connection (EVALSHA, with EVAL on a cache miss, by ioredis). Keys get the
 * connection's prefix like any other command's.
 */
export function redisScript<T>(
  client: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): (keys: string[], args: ScriptArg[]) => Promise<T> {
  client.defineCommand(name, { numberOfKeys, lua });
  const command = (client as unknown as Record<string, (...args: ScriptArg[]) => Promise<T>>)[name];
  return (keys, args) => (command as (...args: ScriptArg[]) => Promise<T>).call(client, ...keys, ...args);
}
