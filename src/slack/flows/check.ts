import { needsApproval } from '../../config/approval-config.js';
import { checkBadge, planPeers } from '../../domain/badge-check.js';
import type { ImApp } from '../../im/app.js';
import { onApp } from '../blocks/app.js';
import { checkMessage } from '../blocks/check.js';
import { withLine } from '../blocks/message.js';
import { code } from '../blocks/mrkdwn.js';
import { rerunCommand } from '../command-text.js';
import { contextLogger, originOf, type SlackRequestContext, scopeOf } from '../context.js';
import type { ListenerDeps } from '../deps.js';

/**
 * `/markread <user> [<peer> …] --check`: looks, changes nothing, and answers the requester privately. When there is
 * something to fix, the answer carries a Fix it button backed by an --all-style run awaiting confirmation (the
 * named conversations, marked read with their unread marks cleared): only the requester can press it, and it goes
 * stale like any unconfirmed run. Where every change needs a reason and the check gave none, there is no button:
 * the answer gives the command to type, with --reason.
 */
export async function checkInSlack(
  deps: ListenerDeps,
  ctx: SlackRequestContext,
  app: ImApp,
  user: string,
  peers: string[],
): Promise<void> {
  const log = contextLogger(deps.flow, ctx);
  const report = await checkBadge(app, user, peers, scopeOf(deps.flow.audit, ctx));
  const fix = planPeers(report.plan);
  let runId: string | undefined;
  const reasonless = deps.reason.required && ctx.reason === undefined;
  // A fix over MARKREAD_APPROVAL_OVER needs another person's approval: no button; the command that asks for it.
  const overApproval = needsApproval(deps.approval.config, fix.length);
  if (fix.length > 0 && !reasonless && !overApproval && deps.jobs.bulkRefusal() === undefined) {
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
  let message = onApp(checkMessage(report, runId), app, deps.flow.apps.several);
  // Where a reason is missing, ctx.reason is undefined, so this is also the command to add --reason to.
  const fixCommand = rerunCommand(user, fix.length <= 50 ? fix : 'all', undefined, true, ctx.reason, ctx.app);
  if (fix.length > 0 && overApproval && !reasonless)
    message = withLine(
      message,
      `Fixing ${fix.length} conversations needs another person's approval (over ${deps.approval.config.over}); this asks for it: ${code(fixCommand)}`,
    );
  if (fix.length > 0 && reasonless)
    message = withLine(
      message,
      `To fix it, say why (every change here needs a reason): ${code(`${fixCommand} --reason "…"`)}`,
    );
  const undelivered = await deps.flow.respond(ctx.responseUrl, message);
  if (undelivered !== undefined) log.error({ deliveryError: undelivered }, 'could not deliver a check');
}
