import type { ReasonPolicy } from '../config/reason-config.js';
import type { Logger } from '../log/logger.js';
import type { AuditHistory } from '../stores/audit-history.js';
import type { RunStore } from '../stores/runs.js';
import type { LocalRuns } from '../work/local-runs.js';
import type { Allowlist } from './access/allowlist.js';
import type { AppAccess } from './access/app-access.js';
import type { ApprovalPolicy } from './flows/approval.js';
import type { SlackJobs } from './flows/jobs.js';
import type { SlackFlowBase } from './flows/single.js';
import type { InFlight } from './in-flight.js';
import type { MetadataSeal } from './sealed-metadata.js';

/** What every listener needs, handed in by the app so listeners stay free of wiring. */
export interface ListenerDeps {
  allowlist: Allowlist;
  /** Who may act on which IM app: the allowlist, or an app's own list. */
  access: AppAccess;
  inFlight: InFlight;
  logger: Logger;
  flow: Omit<SlackFlowBase, 'web'>;
  runs: RunStore;
  /** Controllers of the runs this process is working on. */
  local: LocalRuns;
  /** Seals and opens the modal's private_metadata. */
  seal: MetadataSeal;
  /** Acked work goes here, to be finished by this replica or another. */
  jobs: SlackJobs;
  /** Whether a change needs a reason, and how long one must be (MARKREAD_REQUIRE_REASON, MARKREAD_REASON_MIN). */
  reason: ReasonPolicy;
  /** Four eyes on large runs: over how many conversations, who approves, for how long, break glass. */
  approval: ApprovalPolicy;
  /** The recent actions the App Home tab lists. */
  history: AuditHistory;
}
