/**
 * Runs the IM stand-in as its own process, so a benchmark's client and server do not share a CPU core's event
 * loop. Started with fork(): it sends `{ url }` when listening and answers `{ type: 'arrivals' }` with the arrival
 * times (ms, performance.now() of this process) of accepted requests. Settings come from the environment.
 */
import { ImStandIn } from './im-stand-in.js';

const standIn = new ImStandIn({
  sdkAppId: Number(process.env.STANDIN_SDKAPPID ?? 1400000001),
  identifier: process.env.STANDIN_IDENTIFIER ?? 'administrator',
  secretKey: process.env.STANDIN_SECRET_KEY ?? 'stand-in-secret-key',
});
const delayMs = Number(process.env.STANDIN_DELAY_MS ?? 0);
// STANDIN_SEED=user:count gives that user `count` one-to-one conversations with one unread message each.
const [seedUser, seedCount] = (process.env.STANDIN_SEED ?? '').split(':');
if (seedUser && seedCount)
  standIn.seed(seedUser, Object.fromEntries(Array.from({ length: Number(seedCount) }, (_, i) => [`peer${i}`, 1])));
if (delayMs > 0) standIn.behave = () => ({ json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, delayMs });

const url = await standIn.start(Number(process.env.STANDIN_PORT ?? 0));
process.send?.({ url });
process.on('message', (message: { type: string }) => {
  if (message.type === 'arrivals') {
    process.send?.({
      type: 'arrivals',
      times: standIn.accepted().map((a) => a.at),
      rejected: standIn.arrivals.filter((a) => a.rejected).length,
    });
    standIn.arrivals.length = 0;
  }
  if (message.type === 'stop') void standIn.stop().then(() => process.exit(0));
});
process.on('disconnect', () => void standIn.stop().then(() => process.exit(0)));
