import type { App, BlockButtonAction } from '@slack/bolt';
import { needsAllowlist, type RunState, type RunTransition } from '../../../stores/run-machine.js';
import { type RunRecord, refusalOf, type TransitionResult } from '../../../stores/runs.js';
import type { AllowVerdict } from '../../access/allowlist.js';
import { runApp } from '../../app-choice.js';
import { BULK_ACTIONS } from '../../blocks/ids.js';
import { escapeMrkdwn, mention } from '../../blocks/mrkdwn.js';
import { bulkScope } from '../../blocks/run.js';
import { contextOf } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { STATE_DOWN } from '../../flows/confirm-all.js';
import type { SlackJobs } from '../../flows/jobs.js';
import { presserOf, recordRunRefusal, recordRunStep } from '../../run-audit.js';
import { answer } from './answer.js';

/** What the buttons use of the listeners' deps. */
export type ButtonDeps = Pick<ListenerDeps, 'access' | 'inFlight' | 'logger' | 'runs' | 'local'> & {
  flow: Pick<ListenerDeps['flow'], 'respond' | 'audit' | 'apps'>;
  jobs: Pick<SlackJobs, 'bulkRefusal' | 'dispatch'>;
};

type Handler = (deps: ButtonDeps, body: BlockButtonAction) => Promise<void>;

const STALE =
  ':hourglass: This button is stale: the run it belongs to is over, or markread restarted since. Nothing was changed by this click; run the command again if you still need it.';

/** What a press on a run that is not where the button expects is answered with; any other state is stale. */
const ALREADY: Partial<Record<RunState, string>> = {
  approval: ':raised_hand: This run is waiting for another person’s approval; its request is in the channel.',
  running: ':information_source: This run has already started; its progress is in the thread.',
  stopping: ':octagonal_sign: This run is already stopping.',
  finished: ':information_source: That run has already finished; see its summary in the thread.',
  cancelled: ':information_source: That run was cancelled; nothing was changed.',
};

/**
 * The buttons of bulk runs: Confirm / Cancel on an --all prompt (or a check's Fix it), and Stop on a run in
 * progress. Who may press each is the run machine's to say (stores/run-machine.ts). Each press is checked before
 * the run is touched, then made as one atomic transition of the run's state: of two quick presses (or two people)
 * exactly one acts, and the other is told why not.
 */
export function register(app: App, deps: ButtonDeps): void {
  const on = (actionId: string, handler: Handler) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body }) => {
      await ack();
      await handler(deps, body);
    });
  on(BULK_ACTIONS.confirm, confirm);
  on(BULK_ACTIONS.cancel, cancel);
  on(BULK_ACTIONS.stop, stop);
}

/** Confirm: the run starts, once, and its work is handed to the journal. */
export const confirm: Handler = async (deps, body) => {
  const refusal = deps.jobs.bulkRefusal();
  if (refusal) return answer(deps, body, `:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`);
  const run = await press(deps, body, 'confirm');
  if (!run) return;
  recordRunStep(deps.flow.audit, 'run-confirmed', run, runApp(deps.flow.apps, run), presserOf(body));
  const scope = bulkScope(run.user, run.total, run.peers === undefined);
  await answer(
    deps,
    body,
    `:white_check_mark: Confirmed: marking ${scope} read. Progress and the summary will be in a thread in <#${run.origin.channel}>.`,
    true,
  );
  await deps.jobs.dispatch({ kind: 'bulk', runId: run.id, ctx: contextOf(run.origin) });
};

/** Cancel: the run never starts. */
export const cancel: Handler = async (deps, body) => {
  const run = await press(deps, body, 'cancel');
  if (!run) return;
  recordRunStep(deps.flow.audit, 'run-cancelled', run, runApp(deps.flow.apps, run), presserOf(body));
  await answer(deps, body, ':heavy_multiplication_x: Cancelled; nothing was changed.', true);
};

/** Stop: the run finishes what it sent and makes no more calls. */
export const stop: Handler = async (deps, body) => {
  const run = await press(deps, body, 'stop', `stopped by ${mention(body.user.id)}`);
  if (!run) return;
  recordRunStep(deps.flow.audit, 'run-stopped', run, runApp(deps.flow.apps, run), presserOf(body));
  // The run stops at once if it is working here; on another replica, within a second (it watches its state).
  deps.local.abort(run.id);
  await answer(
    deps,
    body,
    ':octagonal_sign: Stopping: calls already sent finish, the rest are not made. The summary in the thread will say what was done.',
  );
};

/**
 * One press: first whether the presser may (the allowlist, where the run machine asks for it), then the transition,
 * one atomic step on the shared state. The run as it moved, or undefined when nothing moved and the presser was
 * told why (if the shared state cannot be reached, that too).
 */
async function press(
  deps: ButtonDeps,
  body: BlockButtonAction,
  name: RunTransition,
  stopReason?: string,
): Promise<RunRecord | undefined> {
  if (!(await allowed(deps, body, name))) return undefined;
  let result: TransitionResult;
  try {
    result = await deps.runs.transition(runIdOf(body), name, { by: body.user.id, stopReason });
  } catch (error) {
    deps.logger.error({ err: error, runId: runIdOf(body) }, 'could not reach the run store for a button');
    await answer(deps, body, `:warning: Nothing was changed: ${STATE_DOWN}.`);
    return undefined;
  }
  if (result.ok) return result.run;
  await refused(deps, body, result);
  return undefined;
}

/**
 * The allowlist, for a press that needs it, checked before the run is touched: a press that claimed the run first
 * and gave it back on refusal would leave a Stop pressed in between with a run stopping and no job. Someone the run
 * itself refuses (not its requester, or a run already over) hears that rather than the allowlist's answer.
 */
async function allowed(deps: ButtonDeps, body: BlockButtonAction, name: RunTransition): Promise<boolean> {
  if (!needsAllowlist(name)) return true;
  const run = await deps.runs.get(runIdOf(body)).catch(() => null);
  const verdict = await mayActOnRun(deps, body.user.id, run ?? undefined);
  if (verdict.allowed) return true;
  const refusal = run === undefined ? 'missing' : run && refusalOf(name, body.user.id, run);
  if (refusal) {
    await refused(deps, body, { ok: false, reason: refusal, run: run ?? undefined });
    return false;
  }
  recordRefusal(deps, body, run ?? undefined, `not allowed: ${verdict.reason}`);
  await answer(
    deps,
    body,
    `:no_entry: You can't use /markread any more: ${escapeMrkdwn(verdict.reason)}. Nothing was changed.`,
    true,
  );
  return false;
}

/**
 * The allowlist's verdict, or the run's IM app's own list where it has one. A run whose app markread no longer
 * serves is refused: it must not fall back to another app.
 */
async function mayActOnRun(deps: ButtonDeps, user: string, run: RunRecord | undefined): Promise<AllowVerdict> {
  if (!run) return deps.access.check(user);
  const app = runApp(deps.flow.apps, run);
  if (app) return deps.access.onApp(user, app);
  return { allowed: false, reason: `this run was for IM app ${run.origin.app}, which markread no longer serves` };
}

/** Tells the presser why their press did nothing. */
async function refused(
  deps: ButtonDeps,
  body: BlockButtonAction,
  { reason, run }: Extract<TransitionResult, { ok: false }>,
): Promise<void> {
  if (reason === 'not-requester' && run) {
    recordRefusal(
      deps,
      body,
      run,
      `${body.actions[0]?.action_id ?? 'a button'} pressed by someone other than the requester`,
    );
    return answer(
      deps,
      body,
      `:no_entry: Only ${mention(run.origin.requester)}, who started this run, can use its buttons.`,
    );
  }
  return answer(deps, body, (run && ALREADY[run.state]) ?? STALE);
}

/** A press refused by the allowlist or by the run itself: on record with the run it was for. */
function recordRefusal(deps: ButtonDeps, body: BlockButtonAction, run: RunRecord | undefined, why: string): void {
  recordRunRefusal(deps.flow.audit, run, presserOf(body), 'button', why);
}

function runIdOf(body: BlockButtonAction): string {
  return body.actions[0]?.value ?? '';
}
