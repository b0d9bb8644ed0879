import type { DestinationStream } from 'pino';
import type { ImAppConfig, LoadedImApps } from './config/im-apps.js';
import type { ImConfig } from './config/im-config.js';
import { DEFAULT_APP, type ImApp } from './im/app.js';
import { ImApps } from './im/apps.js';
import { ImClient, type ImClientOptions } from './im/client.js';
import type { ImCallObserver } from './im/observer.js';
import { createLogger, type Logger } from './log/logger.js';
import { Redactor } from './log/redactor.js';

export interface ImRuntime {
  redactor: Redactor;
  logger: Logger;
  /** The default IM app: the one a request that names none acts on (the only one without TIM_APPS). */
  app: ImApp;
  /** Every IM app markread serves, by name. */
  apps: ImApps;
}

/**
 * Wires the redactor, the logger and every IM app from a loaded configuration: the apps of TIM_APPS, or one
 * app's ImConfig (today's TIM_* variables, as tests and the demo pass it). The apps are made before anything
 * logs, so the redactor knows every secret key from the first line on.
 */
export function createImRuntime(
  config: ImConfig | LoadedImApps,
  options: {
    destination?: DestinationStream;
    logLevel?: ImConfig['logLevel'];
    /** Given to every app's client (a budget factory is told each app's SDKAppID). */
    client?: Partial<ImClientOptions>;
    redactor?: Redactor;
    /** A logger made already (by whoever also needs it before the client exists). */
    logger?: Logger;
    /** Who watches each app's client (the app's metrics), by app name. */
    observe?: (app: string) => ImCallObserver;
  } = {},
): ImRuntime {
  const loaded = 'apps' in config ? config : oneApp(config);
  const redactor = options.redactor ?? new Redactor();
  const logger =
    options.logger ??
    createLogger({
      level: options.logLevel ?? loaded.logLevel,
      redactor,
      destination: options.destination,
    });
  const apps = new ImApps(
    loaded.apps.map((app) =>
      createImApp(app, {
        redactor,
        // Several apps: each line an app's client writes (a breaker opening, a retry) says which app it was.
        logger: loaded.single ? logger : logger.child({ imApp: app.name }),
        client: options.observe ? { ...options.client, observer: options.observe(app.name) } : options.client,
      }),
    ),
    loaded.defaultApp,
    loaded.single,
  );
  return { redactor, logger, app: apps.default, apps };
}

/** Today's one app, from the TIM_* variables. */
function oneApp(config: ImConfig): LoadedImApps {
  return {
    apps: [{ name: DEFAULT_APP, config, protected: false }],
    defaultApp: DEFAULT_APP,
    single: true,
    logLevel: config.logLevel,
    warnings: [],
  };
}

/**
 * One IM app from its own configuration, with a client of its own: the one place its secret key is handed to
 * both the signer and the redactor, and where the redactor learns each UserSig the signer mints.
 */
export function createImApp(
  app: ImAppConfig,
  options: { redactor: Redactor; logger: Logger; client?: Partial<ImClientOptions> },
): ImApp {
  const { redactor, logger } = options;
  const { name, config, allowedUsers } = app;
  redactor.addSecret(config.secretKey.reveal());
  const client = new ImClient({
    settings: config,
    logger,
    onNewUserSig: (sig) => redactor.addUserSig(sig),
    ...options.client,
  });
  const { sdkAppId, adminIdentifier, region, maxRps } = config;
  return {
    name,
    sdkAppId,
    adminIdentifier,
    region,
    maxRps,
    client,
    logger,
    protected: app.protected,
    ...(allowedUsers ? { allowedUsers } : {}),
  };
}
