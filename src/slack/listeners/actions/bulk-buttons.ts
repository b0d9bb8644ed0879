import type { App, BlockButtonAction } from '@slack/bolt';
import { bulkInSlack } from '../../bulk-in-slack.js';
import { allPairs } from '../../confirm-all.js';
import type { ListenerDeps } from '../../deps.js';
import { BULK_ACTIONS, bulkScope, plainMessage } from '../../messages.js';
import { mention } from '../../mrkdwn.js';
import { postToResponseUrl } from '../../response-url.js';
import type { BulkRun } from '../../runs.js';
import { rerunCommand } from '../commands/markread.js';

const STALE = ':hourglass: This button is stale: the run it belongs to is over, or markread restarted since. Nothing was changed by this click; run the command again if you still need it.';

/**
 * The buttons of bulk runs: Confirm / Cancel on an --all prompt, and Stop on a run in progress. Only the
 * requester may press them (and must still be allowed); a button whose run is gone or in another state says so.
 */
export function registerBulkButtons(app: App, deps: ListenerDeps): void {
  const answer = (body: BlockButtonAction, text: string, replaceOriginal = false) =>
    deps.inFlight.track(postToResponseUrl(body.response_url, plainMessage(text), { replaceOriginal }));

  /** The run a press may act on, or undefined after answering why not. */
  const runFor = async (body: BlockButtonAction, wanted: BulkRun['state']): Promise<BulkRun | undefined> => {
    const run = deps.runs.get(body.actions[0]?.value ?? '');
    if (!run || run.state !== wanted) {
      const already = run?.state === 'finished' ? ':information_source: That run has already finished; see its summary in the thread.' : STALE;
      await answer(body, already);
      return undefined;
    }
    if (body.user.id !== run.ctx.requester) {
      await answer(body, `:no_entry: Only ${mention(run.ctx.requester)}, who started this run, can use its buttons.`);
      deps.logger.warn({ audit: 'refused', slackUser: body.user.id, runId: run.id, action: body.actions[0]?.action_id }, 'button pressed by someone other than the requester');
      return undefined;
    }
    const verdict = await deps.allowlist.check(body.user.id);
    if (!verdict.allowed) {
      await answer(body, `:no_entry: You can't use /markread any more: ${verdict.reason}.`);
      return undefined;
    }
    return run;
  };

  app.action<BlockButtonAction>(BULK_ACTIONS.confirm, async ({ ack, body, client }) => {
    await ack();
    const run = await runFor(body, 'awaiting');
    if (!run) return;
    run.state = 'running';
    const scope = bulkScope(run.user, run.total, true);
    await answer(body, `:white_check_mark: Confirmed: marking ${scope} read. Progress and the summary will be in a thread in <#${run.ctx.channelId}>.`, true);
    const pairs = allPairs(deps, run.user, run.readTime, run.controller.signal);
    void deps.inFlight.track(bulkInSlack({ ...deps.flow, web: client }, deps.runs, run, pairs, scope, rerunCommand(run.user, 'all', run.readTime)));
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.cancel, async ({ ack, body }) => {
    await ack();
    const run = await runFor(body, 'awaiting');
    if (!run) return;
    run.state = 'cancelled';
    await answer(body, ':heavy_multiplication_x: Cancelled; nothing was changed.', true);
  });

  app.action<BlockButtonAction>(BULK_ACTIONS.stop, async ({ ack, body }) => {
    await ack();
    const run = await runFor(body, 'running');
    if (!run) return;
    run.stopReason = `stopped by ${mention(body.user.id)}`;
    run.controller.abort();
    await answer(body, ':octagonal_sign: Stopping: calls already sent finish, the rest are not made. The summary in the thread will say what was done.');
  });
}
