import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { needsApproval } from '../../../config/approval-config.js';
import type { MarkCommand } from '../../../domain/command-grammar.js';
import type { ImApp } from '../../../im/app.js';
import { type AppChoice, chooseApp, recordAppRefusal } from '../../app-choice.js';
import { onApp } from '../../blocks/app.js';
import { checkingMessage } from '../../blocks/check.js';
import { countingMessage } from '../../blocks/confirm.js';
import { workingMessage } from '../../blocks/mark.js';
import { plainMessage, type SlackMessage } from '../../blocks/message.js';
import { markReadModal } from '../../blocks/modal.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { bulkScope } from '../../blocks/run.js';
import { usageMessage } from '../../blocks/usage.js';
import { parseCommandText } from '../../command-text.js';
import { commandContext, contextLogger, originOf, type SlackRequestContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { askForApproval } from '../../flows/approval.js';
import { checkInSlack } from '../../flows/check.js';
import { askToConfirmAll, STATE_DOWN } from '../../flows/confirm-all.js';
import { commandTarget, recordRunStep } from '../../run-audit.js';

/** What the /markread handler uses of Bolt's arguments; tests build just these. */
export type CommandArgs = Pick<SlackCommandMiddlewareArgs & AllMiddlewareArgs, 'command' | 'ack' | 'client'>;
type Ack = CommandArgs['ack'];

/**
 * `/markread …`, from a caller the access gate let through: every path acks within Slack's 3 s with something the
 * caller can read (usage, a refusal, or "working on it"); the IM calls run after the ack.
 */
export function markReadCommand(deps: ListenerDeps): (args: CommandArgs) => Promise<void> {
  return async ({ command, ack, client }) => {
    const parsed = parseCommandText(command.text, { reasonPolicy: deps.reason });
    if (parsed.kind === 'help' || parsed.kind === 'invalid')
      return ack({ response_type: 'ephemeral', ...usageMessage(parsed.kind === 'invalid' ? parsed.problems : []) });
    if (parsed.kind === 'modal') return openModal(deps, { command, ack, client });
    const choice = await chooseApp(deps.flow.apps, deps.access, command.user_id, parsed.app);
    const app = choice.ok ? choice.app : undefined;
    const ctx = commandContext(command, { reason: parsed.reason, app: app?.name });
    if (!choice.ok) return refuseApp(deps, ctx, parsed, choice, ack);
    const started = { ctx, app: choice.app, ack, client };
    if (parsed.kind === 'mark') return startSingle(deps, started, parsed);
    if (parsed.kind === 'check') return startCheck(deps, started, parsed);
    const refusal = deps.jobs.bulkRefusal();
    if (refusal)
      return ack({ response_type: 'ephemeral', ...plainMessage(`:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`) });
    if (parsed.kind === 'mark-many') return startMany(deps, started, parsed);
    return startAll(deps, started, parsed);
  };
}

/** A command acked and on its way: its context, the IM app it acts on, and the ack. */
interface Started {
  ctx: SlackRequestContext;
  app: ImApp;
  ack: Ack;
  /** Bolt's Web API client, for an approval request posted in the channel. */
  client: CommandArgs['client'];
}

/** The ack of a command whose app is unknown, or not for this requester: nothing is called, and it is on record. */
async function refuseApp(
  deps: ListenerDeps,
  ctx: SlackRequestContext,
  parsed: MarkCommand,
  refusal: Extract<AppChoice, { ok: false }>,
  ack: Ack,
): Promise<void> {
  recordAppRefusal(deps.flow.audit, ctx, refusal, commandTarget(parsed));
  // The problem may end in a question ("did you mean staging?"): no full stop after it.
  const problem = escapeMrkdwn(refusal.problem);
  const text = `:no_entry: Nothing was changed: ${problem}${/[.?!]$/.test(problem) ? '' : '.'}`;
  await ack({ response_type: 'ephemeral', ...plainMessage(text) });
}

/** The ack of a command, with the line naming its app where one is due. */
function acked(deps: ListenerDeps, { app, ack }: Started, message: SlackMessage): ReturnType<Ack> {
  return ack({ response_type: 'ephemeral', ...onApp(message, app, deps.flow.apps.several) });
}

/** `/markread` alone: the form. trigger_id expires 3 s after the command was sent, so it opens before anything slow. */
async function openModal(deps: ListenerDeps, { command, ack, client }: CommandArgs): Promise<void> {
  await ack();
  try {
    await client.views.open({
      trigger_id: command.trigger_id,
      view: markReadModal(
        deps.seal.seal({ channelId: command.channel_id, responseUrl: command.response_url }),
        deps.reason,
        { apps: deps.flow.apps },
      ),
    });
  } catch (error) {
    contextLogger(deps, commandContext(command)).warn({ err: error }, 'could not open the /markread modal');
    await deps.inFlight.track(
      deps.flow.respond(
        command.response_url,
        usageMessage(['the form could not be opened in time; type the UserIDs instead']),
      ),
    );
  }
}

async function startSingle(
  deps: ListenerDeps,
  started: Started,
  { request, clearMarks }: Extract<MarkCommand, { kind: 'mark' }>,
): Promise<void> {
  // Recorded as it is acked: from here on a replica's death does not lose it.
  await Promise.all([
    acked(deps, started, workingMessage(request)),
    deps.jobs.dispatch({ kind: 'single', ctx: started.ctx, request, clearMarks }),
  ]);
}

async function startCheck(
  deps: ListenerDeps,
  started: Started,
  { user, peers }: Extract<MarkCommand, { kind: 'check' }>,
): Promise<void> {
  await acked(deps, started, checkingMessage(user));
  void deps.inFlight.track(checkInSlack(deps, started.ctx, started.app, user, peers));
}

async function startMany(
  deps: ListenerDeps,
  started: Started,
  { user, peers, readTime, clearMarks }: Extract<MarkCommand, { kind: 'mark-many' }>,
): Promise<void> {
  const { ctx, app } = started;
  const scope = bulkScope(user, peers.length, false);
  if (needsApproval(deps.approval.config, peers.length)) {
    await acked(
      deps,
      started,
      plainMessage(
        `:raised_hand: Marking ${scope} read needs another person's approval; asking for it in this channel…`,
      ),
    );
    const spec = { user, peers, readTime, total: peers.length, clearMarks };
    return void deps.inFlight.track(askForApproval(deps, started.client, ctx, app, spec));
  }
  await acked(
    deps,
    started,
    plainMessage(
      `:hourglass_flowing_sand: Working on it: marking ${scope} read. One thread reply will follow with progress and a summary.`,
    ),
  );
  const created = deps.runs
    .create({ origin: originOf(ctx), user, peers, readTime, total: peers.length, state: 'running', clearMarks })
    .then((run) => {
      recordRunStep(deps.flow.audit, 'run-requested', run, app);
      return deps.jobs.dispatch({ kind: 'bulk', runId: run.id, ctx });
    })
    .catch(async (error) => {
      contextLogger(deps, ctx).error({ err: error }, 'could not record a many-peer run');
      await deps.flow.respond(ctx.responseUrl, plainMessage(`:x: Nothing was changed: ${STATE_DOWN}.`));
    });
  void deps.inFlight.track(created);
}

/** --all: count first, then ask the requester to confirm with the count in front of them. */
async function startAll(
  deps: ListenerDeps,
  started: Started,
  { user, readTime, clearMarks }: Extract<MarkCommand, { kind: 'mark-all' }>,
): Promise<void> {
  const { ctx } = started;
  await acked(deps, started, countingMessage(user));
  const interrupt = async () => {
    await deps.flow.respond(
      ctx.responseUrl,
      plainMessage(
        ':warning: *Interrupted*: markread was shutting down while counting; nothing was changed. Run the command again.',
      ),
    );
  };
  void deps.inFlight.track(askToConfirmAll(deps, started, { user, readTime, clearMarks }), interrupt);
}
