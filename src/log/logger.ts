import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/im-config.js';
import type { Redactor } from './redactor.js';

export type { Logger } from 'pino';

/**
 * JSON lines on stdout (or `destination`). Every line passes through the redactor just before it is written,
 * so a secret that slips into an error message or a URL is still never logged.
 */
export function createLogger(options: {
  level: LogLevel;
  redactor: Redactor;
  destination?: DestinationStream;
  name?: string;
}): Logger {
  return pino(
    {
      name: options.name ?? 'markread',
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'secretKey',
          'token',
          'userSig',
          'usersig',
          '*.secretKey',
          '*.token',
          '*.userSig',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
      hooks: { streamWrite: (line) => options.redactor.scrub(line) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
