import { needsApproval } from '../../config/approval-config.js';
import { ConversationListError, countOneToOne, oneToOnePeers, pairsFor } from '../../domain/conversations.js';
import type { ImApp } from '../../im/app.js';
import type { ImCaller } from '../../im/caller.js';
import type { RunRecord } from '../../stores/runs.js';
import { confirmAllMessage } from '../blocks/confirm.js';
import { plainMessage } from '../blocks/message.js';
import { code, escapeMrkdwn } from '../blocks/mrkdwn.js';
import { contextLogger, originOf, type SlackRequestContext } from '../context.js';
import type { ListenerDeps } from '../deps.js';
import { recordRunStep } from '../run-audit.js';
import { askForApproval } from './approval.js';

/** Said when the shared state cannot be reached for a step that needs it. */
export const STATE_DOWN = 'markread cannot reach its shared state (Redis) right now; try again in a minute';

/** An --all as asked for: whose, up to when, and whether to clear the unread marks too. */
export interface AllSpec {
  user: string;
  readTime: number | undefined;
  clearMarks: boolean;
}

/**
 * Counts `user`'s one-to-one conversations and asks the requester, privately, to confirm marking them all; over
 * MARKREAD_APPROVAL_OVER, asks another person's approval in the channel instead (the request is the requester's
 * confirmation).
 */
export async function askToConfirmAll(
  deps: ListenerDeps,
  { ctx, app, client }: { ctx: SlackRequestContext; app: ImApp; client: Parameters<typeof askForApproval>[1] },
  { user, readTime, clearMarks }: AllSpec,
): Promise<void> {
  const log = contextLogger(deps.flow, ctx);
  const tell = (text: string) => deps.flow.respond(ctx.responseUrl, plainMessage(text));
  const refusal = deps.jobs.bulkRefusal();
  if (refusal) return void (await tell(`:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`));
  let total: number;
  try {
    total = await countOneToOne(app.client, user);
  } catch (error) {
    const reason = error instanceof ConversationListError ? error.message : 'an internal error';
    log.warn({ user, reason }, 'could not count conversations for --all');
    return void (await tell(`:x: Nothing was changed: ${escapeMrkdwn(reason)}.`));
  }
  if (total === 0) return void (await tell(`${code(user)} has no one-to-one conversations; nothing to do.`));
  if (needsApproval(deps.approval.config, total))
    return askForApproval(deps, client, ctx, app, { user, readTime, total, clearMarks });
  let run: RunRecord;
  try {
    run = await deps.runs.create({ origin: originOf(ctx), user, readTime, total, state: 'awaiting', clearMarks });
  } catch (error) {
    log.error({ err: error }, 'could not record an --all awaiting confirmation');
    return void (await tell(`:x: Nothing was changed: ${STATE_DOWN}.`));
  }
  recordRunStep(deps.flow.audit, 'run-requested', run, app);
  const prompt = confirmAllMessage(run.id, user, total, ctx.reason, { app, several: deps.flow.apps.several });
  const undelivered = await deps.flow.respond(ctx.responseUrl, prompt);
  if (undelivered !== undefined)
    log.error({ deliveryError: undelivered, runId: run.id }, 'could not ask for confirmation of --all');
}

/** The peers of an --all run, paged as the run goes. */
export function allPairs(client: ImCaller, user: string, readTime: number | undefined, signal: AbortSignal) {
  return pairsFor(user, oneToOnePeers(client, user, signal), readTime);
}
