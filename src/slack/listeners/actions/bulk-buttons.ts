import type { App, BlockButtonAction } from '@slack/bolt';
import { startBulkInSlack } from '../../bulk-in-slack.js';
import { rerunCommand } from '../../command-text.js';
import { allPairs } from '../../confirm-all.js';
import type { ListenerDeps } from '../../deps.js';
import { BULK_ACTIONS, bulkScope, plainMessage } from '../../messages.js';
import { escapeMrkdwn, mention } from '../../mrkdwn.js';
import type { TransitionResult } from '../../runs.js';

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

  app.action<BlockButtonAction>(BULK_ACTIONS.confirm, async ({ ack, body, client }) => {
    await ack();
    const claimed = await deps.runs.transition(runIdOf(body), 'awaiting', 'running', { by: body.user.id });
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
    const scope = bulkScope(run.user, run.total, true);
    await answer(
      body,
      `:white_check_mark: Confirmed: marking ${scope} read. Progress and the summary will be in a thread in <#${run.ctx.channelId}>.`,
      true,
    );
    const runs = { store: deps.runs, local: deps.local };
    const job = startBulkInSlack(
      { ...deps.flow, web: client },
      runs,
      run,
      (signal) => allPairs(deps, run.user, run.readTime, signal),
      scope,
      rerunCommand(run.user, 'all', run.readTime),
    );
    void deps.inFlight.track(job.done, job.interrupt);
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.cancel, async ({ ack, body }) => {
    await ack();
    const cancelled = await deps.runs.transition(runIdOf(body), 'awaiting', 'cancelled', { by: body.user.id });
    if (!cancelled.ok) return void (await refused(body, cancelled));
    await answer(body, ':heavy_multiplication_x: Cancelled; nothing was changed.', true);
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.stop, async ({ ack, body }) => {
    await ack();
    const stopping = await deps.runs.transition(runIdOf(body), 'running', 'stopping', {
      by: body.user.id,
      stopReason: `stopped by ${mention(body.user.id)}`,
    });
    if (!stopping.ok) return void (await refused(body, stopping));
    deps.local.abort(stopping.run.id);
    await answer(
      body,
      ':octagonal_sign: Stopping: calls already sent finish, the rest are not made. The summary in the thread will say what was done.',
    );
  });
}
