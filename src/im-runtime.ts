import type { DestinationStream } from 'pino';
import type { ImConfig } from './config/im-config.js';
import { DEFAULT_APP, type ImApp } from './im/app.js';
import { ImClient, type ImClientOptions } from './im/client.js';
import { createLogger, type Logger } from './log/logger.js';
import { Redactor } from './log/redactor.js';

export interface ImRuntime {
  redactor: Redactor;
  logger: Logger;
  /** The IM app markread serves, handed to every flow. */
  app: ImApp;
}

/**
 * Wires the redactor, the logger and the IM app from a loaded configuration. The app is made before anything
 * logs, so the redactor knows its secret key from the first line on.
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
  const logger =
    options.logger ??
    createLogger({
      level: options.logLevel ?? config.logLevel,
      redactor,
      destination: options.destination,
    });
  const app = createImApp(DEFAULT_APP, config, { redactor, logger, client: options.client });
  return { redactor, logger, app };
}

/**
 * One IM app from its own configuration, with a client of its own: the one place its secret key is handed to
 * both the signer and the redactor, and where the redactor learns each UserSig the signer mints.
 */
export function createImApp(
  name: string,
  config: ImConfig,
  options: { redactor: Redactor; logger: Logger; client?: Partial<ImClientOptions> },
): ImApp {
  const { redactor, logger } = options;
  redactor.addSecret(config.secretKey.reveal());
  const client = new ImClient({
    settings: config,
    logger,
    onNewUserSig: (sig) => redactor.addUserSig(sig),
    ...options.client,
  });
  const { sdkAppId, adminIdentifier, region, maxRps } = config;
  return { name, sdkAppId, adminIdentifier, region, maxRps, client, logger };
}
