import type { webApi } from '@slack/bolt';
import type { RunStore } from '../../stores/runs.js';
import { runApp } from '../app-choice.js';
import type { InFlight } from '../in-flight.js';
import { type DecisionDeps, expireNow } from './approval-decision.js';

/** How often each replica looks for approval requests past their deadline. */
export const APPROVAL_SWEEP_MS = 10_000;

/**
 * Expires approval requests nobody decided in time. Every replica sweeps; the expiry itself is the run's atomic
 * transition, so exactly one replica settles each request (its message loses its buttons, the requester is told,
 * the audit has it). A press that comes first expires the request itself (listeners/actions/approval-buttons.ts).
 */
export class ApprovalExpiry {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly deps: DecisionDeps & {
      runs: Pick<RunStore, 'dueApprovals' | 'transition'>;
      inFlight: Pick<InFlight, 'track'>;
    },
    private readonly web: Pick<webApi.WebClient, 'chat'>,
  ) {}

  start(everyMs = APPROVAL_SWEEP_MS): void {
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Expires what is due at `now`; how many this process settled. One sweep at a time. */
  sweep(now = Date.now()): Promise<number> {
    this.sweeping ??= this.expireDue(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async expireDue(now: number): Promise<number> {
    const due = await this.deps.runs.dueApprovals(now).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'could not look for approval requests to expire; trying again soon');
      return [];
    });
    let settled = 0;
    for (const run of due) {
      const app = runApp(this.deps.flow.apps, run);
      if (app) settled += (await expireNow(this.deps, this.web, run, app)).won ? 1 : 0;
      else if ((await this.deps.runs.transition(run.id, 'expire').catch(() => undefined))?.ok) {
        settled++;
        this.deps.logger.warn({ runId: run.id }, 'expired an approval request for an IM app markread no longer serves');
      }
    }
    return settled;
  }
}
