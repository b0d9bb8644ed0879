import type { Logger } from './log/logger.js';

/**
 * A stray rejection or exception is logged once with what it was, and the process keeps serving: every piece of
 * work already catches its own failures, so one that escapes is a bug to report, not a reason to go deaf.
 */
export function logStrays(logger: Logger): void {
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled rejection (a markread bug; please report it); still serving'),
  );
  process.on('uncaughtException', (error) =>
    logger.error({ err: error }, 'uncaught exception (a markread bug; please report it); still serving'),
  );
}
