import type { App } from '@slack/bolt';
import { checkingMessage } from '../../blocks/check.js';
import { countingMessage } from '../../blocks/confirm.js';
import { workingMessage } from '../../blocks/mark.js';
import { plainMessage } from '../../blocks/message.js';
import { markReadModal } from '../../blocks/modal.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { refusalMessage } from '../../blocks/refusal.js';
import { bulkScope } from '../../blocks/run.js';
import { usageMessage } from '../../blocks/usage.js';
import { parseCommandText, SLASH_COMMAND } from '../../command-text.js';
import { askToConfirmAll, STATE_DOWN } from '../../confirm-all.js';
import type { ListenerDeps } from '../../deps.js';
import { checkInSlack } from '../../flows/check.js';

/**
 * `/markread …`: every path acks within Slack's 3 s with something the caller can read (usage, a refusal, or
 * "working on it"); the IM call runs after the ack.
 */
export function registerMarkReadCommand(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    const parsed = parseCommandText(command.text);
    const who = { team: command.team_id, slackUser: command.user_id, channel: command.channel_id };

    if (parsed.kind === 'help' || parsed.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', ...usageMessage(parsed.kind === 'invalid' ? parsed.problems : []) });
      return;
    }

    const verdict = await deps.allowlist.check(command.user_id);
    if (!verdict.allowed) {
      await ack({ response_type: 'ephemeral', ...refusalMessage(verdict.reason) });
      deps.logger.warn(
        { audit: 'refused', ...who, reason: verdict.reason, text: command.text },
        'refused /markread from a caller not on the allowlist',
      );
      return;
    }

    if (parsed.kind === 'modal') {
      await ack();
      // trigger_id expires 3 s after the command was sent: open the modal before anything slow.
      try {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: markReadModal(deps.seal.seal({ channelId: command.channel_id, responseUrl: command.response_url })),
        });
      } catch (error) {
        deps.logger.warn({ ...who, err: error }, 'could not open the /markread modal');
        await deps.inFlight.track(
          deps.flow.respond(
            command.response_url,
            usageMessage(['the form could not be opened in time; type the UserIDs instead']),
          ),
        );
      }
      return;
    }

    const ctx = {
      requester: command.user_id,
      teamId: command.team_id,
      channelId: command.channel_id,
      responseUrl: command.response_url,
      via: 'command',
    };
    if (parsed.kind === 'mark') {
      // Recorded as it is acked: from here on a replica's death does not lose it.
      await Promise.all([
        ack({ response_type: 'ephemeral', ...workingMessage(parsed.request) }),
        deps.jobs.dispatch({ kind: 'single', ctx, request: parsed.request, clearMarks: parsed.clearMarks }),
      ]);
      return;
    }
    if (parsed.kind === 'check') {
      await ack({ response_type: 'ephemeral', ...checkingMessage(parsed.user) });
      void deps.inFlight.track(checkInSlack(deps, ctx, parsed.user, parsed.peers));
      return;
    }
    const refusal = deps.jobs.bulkRefusal();
    if (refusal) {
      await ack({ response_type: 'ephemeral', ...plainMessage(`:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`) });
      return;
    }
    if (parsed.kind === 'mark-many') {
      const { user, peers, readTime } = parsed;
      const scope = bulkScope(user, peers.length, false);
      await ack({
        response_type: 'ephemeral',
        ...plainMessage(
          `:hourglass_flowing_sand: Working on it: marking ${scope} read. One thread reply will follow with progress and a summary.`,
        ),
      });
      const started = deps.runs
        .create({ ctx, user, peers, readTime, total: peers.length, state: 'running', clearMarks: parsed.clearMarks })
        .then((run) => deps.jobs.dispatch({ kind: 'bulk', runId: run.id, ctx }))
        .catch(async (error) => {
          deps.logger.error({ err: error, ...who }, 'could not record a many-peer run');
          await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${STATE_DOWN}.`));
        });
      void deps.inFlight.track(started);
      return;
    }
    // --all: count first, then ask the requester to confirm with the count in front of them.
    await ack({ response_type: 'ephemeral', ...countingMessage(parsed.user) });
    const interrupt = async () => {
      await deps.flow.respond(
        ctx.responseUrl,
        plainMessage(
          ':warning: *Interrupted*: markread was shutting down while counting; nothing was changed. Run the command again.',
        ),
      );
    };
    void deps.inFlight.track(askToConfirmAll(deps, ctx, parsed.user, parsed.readTime, parsed.clearMarks), interrupt);
  });
}
