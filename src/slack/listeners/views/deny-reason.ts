import type { SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import type { TransitionResult } from '../../../stores/runs.js';
import { runApp } from '../../app-choice.js';
import { alreadyDecided, denyNoticeView } from '../../blocks/approval.js';
import { DENY_FIELD, MODAL_ACTION } from '../../blocks/ids.js';
import { deciderVerdict } from '../../flows/approval.js';
import { expireNow, settle } from '../../flows/approval-decision.js';
import { STATE_DOWN } from '../../flows/confirm-all.js';
import { presserOf, recordRunRefusal } from '../../run-audit.js';
import type { ApprovalDeps } from '../actions/approval-buttons.js';

type DenyArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'> & {
  client: Pick<webApi.WebClient, 'chat'>;
};

/**
 * The deny form's submission: who may decide is checked again (the form's run id is only a name, so a forged one
 * gains nothing), then the one atomic deny, with the reason the requester will see. A request decided meanwhile
 * is answered with who decided it.
 */
export function denySubmission(deps: ApprovalDeps): (args: DenyArgs) => Promise<void> {
  return async ({ ack, body, view, client }) => {
    const reason = (view.state.values[DENY_FIELD]?.[MODAL_ACTION]?.value ?? '').trim();
    if (reason.length < 3)
      return ack({ response_action: 'errors', errors: { [DENY_FIELD]: 'Say why, in a few words.' } });
    const run = await deps.runs.get(view.private_metadata).catch(() => null);
    const app = run ? runApp(deps.flow.apps, run) : undefined;
    if (!run || !app)
      return ack({
        response_action: 'update',
        view: denyNoticeView(run === null ? `${STATE_DOWN}.` : 'This request is gone.'),
      });
    const presser = body.user.id;
    const verdict = await deciderVerdict(deps, presser, app);
    if (!verdict.allowed || presser === run.origin.requester) {
      const why = presser === run.origin.requester ? 'the requester' : verdict.allowed ? '' : verdict.reason;
      recordRunRefusal(deps.flow.audit, run, presserOf(body), 'modal', `deny refused: ${why}`);
      return ack({ response_action: 'update', view: denyNoticeView('You may not deny this run.') });
    }
    let result: TransitionResult;
    try {
      const team = body.team?.id;
      result = await deps.runs.transition(run.id, 'deny', { by: presser, team, decisionReason: reason });
    } catch {
      return ack({ response_action: 'update', view: denyNoticeView(`${STATE_DOWN}.`) });
    }
    // A form opened before the deadline and sent after it is too late, as a press would be (the store says so).
    if (!result.ok && result.reason === 'expired') {
      await ack({ response_action: 'update', view: denyNoticeView('This request expired before the form was sent.') });
      await expireNow(deps, client, run, app);
      return;
    }
    if (!result.ok) {
      const decided = result.run?.decision;
      const text = decided ? alreadyDecided(decided) : 'This request is no longer waiting for a decision.';
      return ack({ response_action: 'update', view: denyNoticeView(text) });
    }
    await ack();
    await deps.inFlight.track(settle(deps, client, result.run, app));
  };
}
