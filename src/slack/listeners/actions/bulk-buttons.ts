import type { App, BlockButtonAction } from '@slack/bolt';
import { BULK_ACTIONS } from '../../blocks/ids.js';
import { plainMessage } from '../../blocks/message.js';
import { escapeMrkdwn, mention } from '../../blocks/mrkdwn.js';
import { bulkScope } from '../../blocks/run.js';
import { STATE_DOWN } from '../../confirm-all.js';
import type { ListenerDeps } from '../../deps.js';
import type { RunStore, TransitionResult } from '../../runs.js';

const STALE =
  ':hourglass: This button is stale: the run it belongs to is over, or markread restarted since. Nothing was changed by this click; run the command again if you still need it.';

/**
 * The buttons of bulk runs: Confirm / Cancel on an --all prompt, and Stop on a run in progress. Only the
 * requester may press them. Each press is one atomic transition of the run's state, made before anything
 * else is awaited: of two quick presses (or two people) exactly one acts, and the other is told why not.
 */
export function registerBulkButtons(app: App, deps: ListenerDeps): void {
  const answer = (body: BlockButtonAction, text: string, replaceOriginal = false) =>
    deps.inFlight.track(deps.flow.respond(body.response_url, plainMessage(text), { replaceOriginal }));

  /** Tells the presser why their press did nothing. */
  const refused = async (body: BlockButtonAction, result: Extract<TransitionResult, { ok: false }>) => {
    const action = body.actions[0]?.action_id;
    if (result.reason === 'not-requester' && result.run) {
      deps.logger.warn(
        { audit: 'refused', slackUser: body.user.id, runId: result.run.id, action },
        'button pressed by someone other than the requester',
      );
      return answer(
        body,
        `:no_entry: Only ${mention(result.run.ctx.requester)}, who started this run, can use its buttons.`,
      );
    }
    const state = result.run?.state;
    if (state === 'running' || state === 'stopping') {
      return answer(
        body,
        state === 'stopping'
          ? ':octagonal_sign: This run is already stopping.'
          : ':information_source: This run has already started; its progress is in the thread.',
      );
    }
    if (state === 'finished')
      return answer(body, ':information_source: That run has already finished; see its summary in the thread.');
    if (state === 'cancelled') return answer(body, ':information_source: That run was cancelled; nothing was changed.');
    return answer(body, STALE);
  };

  const runIdOf = (body: BlockButtonAction) => body.actions[0]?.value ?? '';

  /** One atomic step on the shared state; if that state cannot be reached, the presser is told and nothing moves. */
  const step = async (body: BlockButtonAction, ...args: Parameters<RunStore['transition']>) => {
    try {
      return await deps.runs.transition(...args);
    } catch (error) {
      deps.logger.error({ err: error, runId: args[0] }, 'could not reach the run store for a button');
      await answer(body, `:warning: Nothing was changed: ${STATE_DOWN}.`);
      return undefined;
    }
  };

  app.action<BlockButtonAction>(BULK_ACTIONS.confirm, async ({ ack, body }) => {
    await ack();
    const refusal = deps.jobs.bulkRefusal();
    if (refusal) return void (await answer(body, `:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`));
    const claimed = await step(body, runIdOf(body), 'awaiting', 'running', { by: body.user.id });
    if (!claimed) return;
    if (!claimed.ok) return void (await refused(body, claimed));
    const run = claimed.run;
    const verdict = await deps.allowlist.check(body.user.id);
    if (!verdict.allowed) {
      await deps.runs.transition(run.id, 'running', 'cancelled');
      return void (await answer(
        body,
        `:no_entry: You can't use /markread any more: ${escapeMrkdwn(verdict.reason)}. Nothing was changed.`,
        true,
      ));
    }
    const scope = bulkScope(run.user, run.total, run.peers === undefined);
    await answer(
      body,
      `:white_check_mark: Confirmed: marking ${scope} read. Progress and the summary will be in a thread in <#${run.ctx.channelId}>.`,
      true,
    );
    await deps.jobs.dispatch({ kind: 'bulk', runId: run.id, ctx: run.ctx });
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.cancel, async ({ ack, body }) => {
    await ack();
    const cancelled = await step(body, runIdOf(body), 'awaiting', 'cancelled', { by: body.user.id });
    if (!cancelled) return;
    if (!cancelled.ok) return void (await refused(body, cancelled));
    await answer(body, ':heavy_multiplication_x: Cancelled; nothing was changed.', true);
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.stop, async ({ ack, body }) => {
    await ack();
    const stopping = await step(body, runIdOf(body), 'running', 'stopping', {
      by: body.user.id,
      stopReason: `stopped by ${mention(body.user.id)}`,
    });
    if (!stopping) return;
    if (!stopping.ok) return void (await refused(body, stopping));
    // The run stops at once if it is working here; on another replica, within a second (it watches its state).
    deps.local.abort(stopping.run.id);
    await answer(
      body,
      ':octagonal_sign: Stopping: calls already sent finish, the rest are not made. The summary in the thread will say what was done.',
    );
  });
}
