import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from '@slack/web-api';
import type { Logger } from '../../log/logger.js';

/**
 * Bolt's own log lines, as JSON through our pino logger (and so through its redaction). Bolt and the Web API
 * client log several debug lines per request; their text is only built when that level is on, so the ack path
 * does not pay for lines nobody reads.
 */
export function boltLogger(log: Logger): BoltLogger {
  const text = (parts: unknown[]) =>
    parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      if (log.isLevelEnabled(level)) log[level](text(parts));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => undefined,
    getLevel: () => (log.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO),
    setName: () => undefined,
  };
}
