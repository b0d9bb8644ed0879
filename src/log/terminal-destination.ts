import { createRequire } from 'node:module';
import { type DestinationStream, pino } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

/** pino-pretty is loaded only when a line is to be made readable: a pipe or a log collector gets JSON without it. */
const loadPretty = () => createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => DestinationStream;

/**
 * Where the CLI's log lines go (stderr, beside its output on stdout): one readable line each on a terminal, JSON
 * lines when stderr is a pipe or a file, or when LOG_FORMAT=json asks for them. Lines are redacted before they
 * reach either (pino's streamWrite hook).
 */
export function stderrDestination(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stderr.isTTY === true,
): DestinationStream {
  const format = env.LOG_FORMAT?.trim().toLowerCase();
  if (format === 'json' || (format !== 'pretty' && !isTTY)) return pino.destination({ dest: 2, sync: true });
  return loadPretty()({
    destination: 2,
    sync: true,
    colorize: isTTY,
    singleLine: true,
    translateTime: 'HH:MM:ss',
    // An audit line's message says what it is in short; its full event is for pipes and files (JSON).
    ignore: 'pid,hostname,name,audit',
  });
}
