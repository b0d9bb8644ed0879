import type { DestinationStream } from 'pino';
import type { ImConfig } from './config/im-config.js';
import { ImClient, type ImClientOptions } from './im/client.js';
import { createLogger, type Logger } from './log/logger.js';
import { Redactor } from './log/redactor.js';

export interface ImRuntime {
  config: ImConfig;
  redactor: Redactor;
  logger: Logger;
  client: ImClient;
}

/**
 * Wires the redactor, logger and IM client from a loaded configuration: the one place the secret key is handed
 * to both the signer and the redactor.
 */
export function createImRuntime(
  config: ImConfig,
  options: {
    destination?: DestinationStream;
    logLevel?: ImConfig['logLevel'];
    client?: Partial<ImClientOptions>;
    redactor?: Redactor;
    /** A logger made already (by whoever also needs it before the client exists). */
    logger?: Logger;
  } = {},
): ImRuntime {
  const redactor = options.redactor ?? new Redactor();
  redactor.addSecret(config.secretKey.reveal());
  const logger =
    options.logger ??
    createLogger({
      level: options.logLevel ?? config.logLevel,
      redactor,
      destination: options.destination,
    });
  const client = new ImClient({
    settings: config,
    logger,
    onNewUserSig: (sig) => redactor.addUserSig(sig),
    ...options.client,
  });
  return { config, redactor, logger, client };
}
