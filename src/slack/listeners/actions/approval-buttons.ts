import type { App, BlockButtonAction, webApi } from '@slack/bolt';
import type { ImApp } from '../../../im/app.js';
import type { RunTransition } from '../../../stores/run-machine.js';
import type { RunRecord, TransitionResult } from '../../../stores/runs.js';
import { runApp } from '../../app-choice.js';
import { alreadyDecided, denyReasonModal } from '../../blocks/approval.js';
import { APPROVAL_ACTIONS } from '../../blocks/ids.js';
import { escapeMrkdwn, mention } from '../../blocks/mrkdwn.js';
import type { ListenerDeps } from '../../deps.js';
import { deciderVerdict } from '../../flows/approval.js';
import { type DecisionDeps, expireNow, settle } from '../../flows/approval-decision.js';
import { STATE_DOWN } from '../../flows/confirm-all.js';
import type { SlackJobs } from '../../flows/jobs.js';
import { presserOf, recordRunRefusal } from '../../run-audit.js';
import { answer } from './answer.js';

/** What the approval buttons use of the listeners' deps. */
export type ApprovalDeps = DecisionDeps &
  Pick<ListenerDeps, 'access' | 'inFlight' | 'runs' | 'reason'> & {
    flow: DecisionDeps['flow'];
    jobs: Pick<SlackJobs, 'dispatch' | 'durable' | 'bulkRefusal'>;
  };

type Web = Pick<webApi.WebClient, 'chat' | 'views'>;
type Handler = (deps: ApprovalDeps, body: BlockButtonAction, web: Web) => Promise<void>;

/**
 * Approve, Deny and Withdraw on an approval request in the channel. Open to anyone at the gate (an approver need
 * not be on the allowlist): each handler decides who may press, then one atomic transition of the run settles
 * it, so of two approvers pressing at once on two replicas exactly one decides and the other is told who did.
 */
export function register(app: App, deps: ApprovalDeps): void {
  const on = (actionId: string, handler: Handler) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, client }) => {
      await ack();
      await handler(deps, body, client);
    });
  on(APPROVAL_ACTIONS.approve, approve);
  on(APPROVAL_ACTIONS.deny, deny);
  on(APPROVAL_ACTIONS.withdraw, withdraw);
}

/** Approve: another person who may decide starts the run; the requester only by breaking the glass. */
export const approve: Handler = async (deps, body, web) => {
  const found = await waiting(deps, body, web);
  if (!found) return;
  const { run, app } = found;
  const presser = body.user.id;
  if (presser === run.origin.requester) return selfApprove(deps, body, web, found);
  if (!(await mayDecide(deps, body, run, app, 'approve'))) return;
  if (!(await requesterMayStill(deps, body, found))) return;
  await decide(deps, body, web, found, 'approve', {});
};

/**
 * An approval starts IM calls in the requester's name, so, as a Confirm would, it needs the requester still
 * allowed on the app and the shared state able to take a bulk run.
 */
async function requesterMayStill(deps: ApprovalDeps, body: BlockButtonAction, { run, app }: Found): Promise<boolean> {
  const refusal = deps.jobs.bulkRefusal();
  if (refusal) {
    await answer(deps, body, `:x: Nothing was changed: ${escapeMrkdwn(refusal)}.`);
    return false;
  }
  const verdict = await deps.access.onApp(run.origin.requester, app);
  if (verdict.allowed) return true;
  const why = `the requester may no longer act on IM app ${app.name} (${verdict.reason})`;
  await refuse(deps, body, run, `approve refused: ${why}`, `This run can't be approved: ${escapeMrkdwn(why)}.`);
  return false;
}

/** Deny: someone who may decide is asked why (a form), and the form's submission settles it. */
export const deny: Handler = async (deps, body, web) => {
  const found = await waiting(deps, body, web);
  if (!found) return;
  const { run, app } = found;
  if (body.user.id === run.origin.requester)
    return refuse(
      deps,
      body,
      run,
      'deny pressed by the requester',
      'This is your own request: use *Withdraw* to take it back.',
    );
  if (!(await mayDecide(deps, body, run, app, 'deny'))) return;
  await web.views.open({ trigger_id: body.trigger_id, view: denyReasonModal(run.id) }).catch(async (error: unknown) => {
    deps.logger.warn({ err: error, runId: run.id }, 'could not open the deny form');
    await answer(deps, body, ':warning: The form to say why could not be opened in time; press Deny again.');
  });
};

/** Withdraw: the requester takes their request back; anyone else is told it is not theirs. */
export const withdraw: Handler = async (deps, body, web) => {
  const found = await waiting(deps, body, web);
  if (!found) return;
  await decide(deps, body, web, found, 'withdraw', {});
};

/**
 * Break glass: with MARKREAD_BREAK_GLASS=true the requester may approve their own run, if they gave a reason of
 * at least MARKREAD_REASON_MIN characters and may still act on the app; the decision says so loudly.
 */
async function selfApprove(deps: ApprovalDeps, body: BlockButtonAction, web: Web, found: Found): Promise<void> {
  const { run } = found;
  const reason = run.origin.reason ?? '';
  const refusal = !deps.approval.config.breakGlass
    ? 'you asked for this run, so another person must approve it'
    : reason.length < deps.reason.min
      ? `break glass needs a reason of at least ${deps.reason.min} characters; withdraw this and ask again with --reason`
      : undefined;
  if (refusal)
    return refuse(deps, body, run, `self-approval refused: ${refusal}`, `You can't approve this: ${refusal}.`);
  // The presser is the requester: the same check as any approval (still allowed on the app, a bulk run can start).
  if (!(await requesterMayStill(deps, body, found))) return;
  await decide(deps, body, web, found, 'self-approve', { decisionReason: reason });
}

/** Whether the presser may approve or deny: MARKREAD_APPROVERS when set, else whoever may act on the run's app. */
async function mayDecide(
  deps: ApprovalDeps,
  body: BlockButtonAction,
  run: RunRecord,
  app: ImApp,
  what: 'approve' | 'deny',
): Promise<boolean> {
  const verdict = await deciderVerdict(deps, body.user.id, app);
  if (verdict.allowed) return true;
  const who = deps.approval.approvers ? 'not among MARKREAD_APPROVERS' : verdict.reason;
  await refuse(deps, body, run, `${what} refused: ${who}`, `You can't ${what} this run: ${who}.`);
  return false;
}

/** One atomic transition; the winner settles the run, anyone else hears who decided and when. */
async function decide(
  deps: ApprovalDeps,
  body: BlockButtonAction,
  web: Web,
  { run, app }: Found,
  name: Extract<RunTransition, 'approve' | 'self-approve' | 'withdraw'>,
  options: { decisionReason?: string },
): Promise<void> {
  let result: TransitionResult;
  try {
    result = await deps.runs.transition(run.id, name, { by: body.user.id, team: body.team?.id, ...options });
  } catch (error) {
    deps.logger.error({ err: error, runId: run.id }, 'could not reach the run store for an approval button');
    return answer(deps, body, `:warning: Nothing was changed: ${STATE_DOWN}.`);
  }
  // Tracked: a shutdown waits for the decision to be shown and its run handed to the journal.
  if (result.ok) return deps.inFlight.track(settle(deps, web, result.run, app));
  // The deadline passed while this press was being checked: the store refused it; expire it now.
  if (result.reason === 'expired') return answer(deps, body, lateAnswer((await expireNow(deps, web, run, app)).run));
  if (result.reason === 'not-requester')
    return refuse(
      deps,
      body,
      run,
      'withdraw pressed by someone other than the requester',
      `Only ${mention(run.origin.requester)}, who asked, can withdraw it.`,
    );
  return answer(deps, body, lateAnswer(result.run ?? run));
}

interface Found {
  run: RunRecord;
  app: ImApp;
}

/**
 * The run a press is about, still waiting and with its app served; otherwise the presser is told why not (and
 * a run past its deadline is expired now, by whichever press or sweep gets there first).
 */
async function waiting(deps: ApprovalDeps, body: BlockButtonAction, web: Web): Promise<Found | undefined> {
  const id = body.actions[0]?.value ?? '';
  const run = await deps.runs.get(id).catch(() => null);
  if (run === null) return void (await answer(deps, body, `:warning: Nothing was changed: ${STATE_DOWN}.`));
  if (run === undefined) return void (await answer(deps, body, gone(deps)));
  const app = runApp(deps.flow.apps, run);
  if (!app) {
    const why = `this request was for IM app ${run.origin.app ?? ''}, which markread no longer serves`;
    return void (await refuse(deps, body, run, why, `${escapeMrkdwn(why)}.`));
  }
  // Past its deadline: no need to look the presser up (the store would refuse them as 'expired' anyway).
  if (run.state === 'approval' && (run.approvalDeadline ?? 0) <= Date.now())
    return void (await answer(deps, body, lateAnswer((await expireNow(deps, web, run, app)).run)));
  if (run.state !== 'approval') return void (await answer(deps, body, lateAnswer(run)));
  return { run, app };
}

/** A press on a request no longer waiting: who decided and when. */
function lateAnswer(run: RunRecord): string {
  if (run.decision) return alreadyDecided(run.decision);
  return ':information_source: This request is no longer waiting for a decision; nothing was changed by this press.';
}

/** A press on a request the run store does not know: plainly why, never a silent nothing. */
function gone(deps: ApprovalDeps): string {
  return deps.jobs.durable
    ? ':hourglass: This request is over and forgotten (decided or expired over an hour ago). Nothing was changed by this press; ask again if it is still needed.'
    : ':warning: This request is gone: markread restarted since it was asked for, and without Redis it keeps requests in memory only. Nothing was changed; ask again if it is still needed.';
}

/** A press refused: on record, and the presser told why. */
async function refuse(deps: ApprovalDeps, body: BlockButtonAction, run: RunRecord, why: string, text: string) {
  recordRunRefusal(deps.flow.audit, run, presserOf(body), 'button', why);
  await answer(deps, body, `:no_entry: ${text} Nothing was changed.`);
}
