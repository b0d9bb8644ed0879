import type { webApi } from '@slack/bolt';
import type { AuditKind } from '../../audit/event.js';
import { type AuditScope, recordIn } from '../../audit/scope.js';
import type { ImApp } from '../../im/app.js';
import type { Logger } from '../../log/logger.js';
import type { RunDecision, RunRecord, RunStore } from '../../stores/runs.js';
import { approvalDecidedMessage } from '../blocks/approval.js';
import { plainMessage } from '../blocks/message.js';
import { code, mention } from '../blocks/mrkdwn.js';
import { contextOf } from '../context.js';
import type { ListenerDeps } from '../deps.js';
import type { InFlight } from '../in-flight.js';
import { runScope, runTarget } from '../run-audit.js';
import { approvalView } from './approval.js';
import type { SlackJobs } from './jobs.js';

/** What settling a decision needs: the trail, the apps, the approval policy, the jobs, and a way to post. */
export type DecisionDeps = Pick<ListenerDeps, 'approval' | 'logger'> & {
  flow: Pick<ListenerDeps['flow'], 'audit' | 'apps' | 'respond'>;
  jobs: Pick<SlackJobs, 'dispatch'>;
};

type Web = Pick<webApi.WebClient, 'chat'>;

const EVENT: Record<RunDecision['kind'], AuditKind> = {
  approved: 'approved',
  'self-approved': 'approved',
  denied: 'denied',
  withdrawn: 'approval-withdrawn',
  expired: 'approval-expired',
};

/**
 * A run whose approval was just settled (by the one transition that won): the request in the channel shows the
 * decision and loses its buttons, the decision goes on record, an approved run starts at once (no second
 * confirmation), and the requester hears it in the request's thread. Never throws: each step that fails is logged.
 */
export async function settle(deps: DecisionDeps, web: Web, run: RunRecord, app: ImApp): Promise<void> {
  const { decision } = run;
  if (!decision) return;
  const log = deps.logger.child({ runId: run.id });
  recordDecision(deps, run, app, decision);
  if (decision.kind === 'approved' || decision.kind === 'self-approved')
    await deps.jobs.dispatch({ kind: 'bulk', runId: run.id, ctx: contextOf(run.origin) });
  const view = approvalView(deps, run, app);
  if (run.approvalTs !== undefined)
    await web.chat
      .update({ channel: run.origin.channel, ts: run.approvalTs, ...approvalDecidedMessage(view, decision) })
      .catch((error: unknown) => log.warn({ err: error }, 'could not update an approval request'));
  await tellRequester(deps, web, run, decision, log);
}

/** The decision on record: who decided (markread, for an expiry), the requester beside them, and why. */
function recordDecision(deps: DecisionDeps, run: RunRecord, app: ImApp, decision: RunDecision): void {
  const by = decision.by;
  const scope: AuditScope = by
    ? runScope(deps.flow.audit, run, { user: by, ...(decision.team ? { team: decision.team } : {}) })
    : {
        ...runScope(deps.flow.audit, run),
        actor: { kind: 'markread' },
        via: 'system',
        requester: run.origin.requester,
      };
  // The decision is the event's kind and status already; the detail says only what they do not.
  const detail =
    decision.kind === 'self-approved'
      ? 'self-approved by the requester (break glass)'
      : decision.reason !== undefined
        ? `${decision.kind}: ${decision.reason}`
        : undefined;
  const self = decision.kind === 'self-approved' ? { approval: 'self-approved' as const } : {};
  const outcome = { status: decision.kind, ...(detail !== undefined ? { detail } : {}) };
  recordIn(scope, { kind: EVENT[decision.kind], target: runTarget(run), outcome, ...self }, app);
}

const TOLD: Partial<Record<RunDecision['kind'], (d: RunDecision) => string>> = {
  approved: (d) =>
    `:white_check_mark: ${d.by ? mention(d.by) : 'Someone'} approved your run; it has started, with its progress in its own thread.`,
  denied: (d) =>
    `:no_entry: ${d.by ? mention(d.by) : 'Someone'} denied your run${d.reason ? `: ${code(d.reason)}` : ''}. Nothing was changed.`,
  expired: () =>
    ':hourglass: Nobody decided on your run in time, so it expired. Nothing was changed; ask again if it is still needed.',
};

/** The requester hears the decision they did not make, in the request's thread (a mention notifies them). */
async function tellRequester(deps: DecisionDeps, web: Web, run: RunRecord, decision: RunDecision, log: Logger) {
  const told = TOLD[decision.kind];
  if (!told) return;
  const text = `${mention(run.origin.requester)} ${told(decision)}`;
  if (run.approvalTs !== undefined) {
    const posted = await web.chat
      .postMessage({ channel: run.origin.channel, thread_ts: run.approvalTs, ...plainMessage(text) })
      .then(() => true)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'could not reply in an approval thread');
        return false;
      });
    if (posted) return;
  }
  await deps.flow.respond(run.origin.replyUrl, plainMessage(text));
}

/**
 * A request past its deadline, expired now by the sweep or by a press or form that found it first: one atomic
 * transition, whose winner settles it. The run as it then is (for a late answer), and whether this call won.
 */
export async function expireNow(
  deps: DecisionDeps & { runs: Pick<RunStore, 'transition'>; inFlight: Pick<InFlight, 'track'> },
  web: Web,
  run: RunRecord,
  app: ImApp,
): Promise<{ run: RunRecord; won: boolean }> {
  const expired = await deps.runs.transition(run.id, 'expire').catch(() => undefined);
  if (expired?.ok) await deps.inFlight.track(settle(deps, web, expired.run, app));
  return { run: expired?.run ?? run, won: expired?.ok === true };
}
