import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../log/logger.js';
import { StartupError } from './socket/startup-error.js';

/** Listens on PORT; a port in use or refused fails start-up with one line that names what to fix. */
export async function listen(server: Server, port: number, logger: Logger): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`PORT ${port} is in use: stop whatever listens there, or set PORT to a free port`)
          : new StartupError(`PORT ${port}: cannot listen (${error.code ?? error.message})`),
      ),
    );
    server.listen(port, () => resolve());
  });
  server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
  return (server.address() as AddressInfo).port;
}
