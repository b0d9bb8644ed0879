import { checkBadge, planPeers } from '../../domain/badge-check.js';
import { checkMessage } from '../blocks/check.js';
import { contextLogger, originOf, type SlackRequestContext, scopeOf } from '../context.js';
import type { ListenerDeps } from '../deps.js';

/**
 * `/markread <user> [<peer> …] --check`: looks, changes nothing, and answers the requester privately. When there is
 * something to fix, the answer carries a Fix it button backed by an --all-style run awaiting confirmation (the
 * named conversations, marked read with their unread marks cleared): only the requester can press it, and it goes
 * stale like any unconfirmed run.
 */
export async function checkInSlack(
  deps: ListenerDeps,
  ctx: SlackRequestContext,
  user: string,
  peers: string[],
): Promise<void> {
  const log = contextLogger(deps.flow, ctx);
  const report = await checkBadge(deps.flow.app, user, peers, scopeOf(deps.flow.audit, ctx));
  const fix = planPeers(report.plan);
  let runId: string | undefined;
  if (fix.length > 0 && deps.jobs.bulkRefusal() === undefined) {
    try {
      const run = await deps.runs.create({
        origin: originOf(ctx),
        user,
        peers: fix,
        readTime: undefined,
        total: fix.length,
        state: 'awaiting',
        clearMarks: true,
      });
      runId = run.id;
    } catch (error) {
      log.warn({ err: error }, 'could not record the fix a check offers; the check is shown without its button');
    }
  }
  const undelivered = await deps.flow.respond(ctx.responseUrl, checkMessage(report, runId));
  if (undelivered !== undefined) log.error({ deliveryError: undelivered }, 'could not deliver a check');
}
