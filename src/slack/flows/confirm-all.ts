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

/** Said when the shared state cannot be reached for a step that needs it. */
export const STATE_DOWN = 'markread cannot reach its shared state (Redis) right now; try again in a minute';

/** Counts `user`'s one-to-one conversations and asks the requester, privately, to confirm marking them all. */
export async function askToConfirmAll(
  deps: ListenerDeps,
  ctx: SlackRequestContext,
  app: ImApp,
  user: string,
  readTime: number | undefined,
  clearMarks = false,
): Promise<void> {
  const log = contextLogger(deps.flow, ctx);
  const refusal = deps.jobs.bulkRefusal();
  if (refusal) {
    await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`));
    return;
  }
  let total: number;
  try {
    total = await countOneToOne(app.client, user);
  } catch (error) {
    const reason = error instanceof ConversationListError ? error.message : 'an internal error';
    log.warn({ user, reason }, 'could not count conversations for --all');
    await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${escapeMrkdwn(reason)}.`));
    return;
  }
  if (total === 0) {
    await deps.flow.respond(
      ctx.responseUrl,
      plainMessage(`${code(user)} has no one-to-one conversations; nothing to do.`),
    );
    return;
  }
  let run: RunRecord;
  try {
    run = await deps.runs.create({ origin: originOf(ctx), user, readTime, total, state: 'awaiting', clearMarks });
  } catch (error) {
    log.error({ err: error }, 'could not record an --all awaiting confirmation');
    await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${STATE_DOWN}.`));
    return;
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
