import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { RequestKind } from '../../metrics/metrics.js';

/** Anything that counts what Slack sent. */
export interface RequestCounter {
  received(kind: RequestKind): void;
}

/** Bolt global middleware, registered before the gate: every request Bolt receives is counted by kind, then passed on. */
export function countRequests(counter: RequestCounter): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    counter.received(kindOf(args));
    await args.next();
  };
}

function kindOf(args: AnyMiddlewareArgs): RequestKind {
  if ('command' in args) return 'command';
  if ('action' in args) return 'button';
  if ('view' in args) return 'form';
  if ('event' in args) return 'event';
  return 'other';
}
