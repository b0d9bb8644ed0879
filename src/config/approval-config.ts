import { z } from 'zod';
import { ConfigError, describeEnvIssues, intIn, trueOrFalse, withoutEmpty } from './config-error.js';
import { idList, SLACK_USER_GROUP_ID, SLACK_USER_ID, SLACK_USER_ID_HINT } from './slack-ids.js';

/** Four eyes on large runs: which runs need another person's approval, who may give it, and for how long. */
export interface ApprovalConfig {
  /** MARKREAD_APPROVAL_OVER: a run over this many conversations needs approval; undefined: no run does. */
  over: number | undefined;
  /**
   * MARKREAD_APPROVERS: who may approve, by Slack user and user-group ID; undefined: the surface decides
   * (e.g. anyone allowed but the requester).
   */
  approvers: { users: Set<string>; groups: Set<string> } | undefined;
  /** MARKREAD_APPROVAL_TTL_MS: how long a run waits for approval before it expires. */
  ttlMs: number;
  /** MARKREAD_BREAK_GLASS: whether a requester may approve their own run (recorded as self-approved). */
  breakGlass: boolean;
}

export const DEFAULT_APPROVAL_TTL_MS = 1_800_000;

/** No run waits for approval: what an unset MARKREAD_APPROVAL_OVER means. */
export const NO_APPROVALS: ApprovalConfig = {
  over: undefined,
  approvers: undefined,
  ttlMs: DEFAULT_APPROVAL_TTL_MS,
  breakGlass: false,
};

/** Either kind of ID in one list, as an operator writes it: people and the groups they are in. */
const APPROVER_ID = new RegExp(`${SLACK_USER_ID.source}|${SLACK_USER_GROUP_ID.source}`);

const schema = z.object({
  MARKREAD_APPROVAL_OVER: intIn(
    1,
    1_000_000,
    'conversations a run may cover before another person must approve it',
  ).optional(),
  MARKREAD_APPROVERS: idList(APPROVER_ID, `${SLACK_USER_ID_HINT} or a Slack user group ID (S…)`).optional(),
  MARKREAD_APPROVAL_TTL_MS: intIn(
    60_000,
    86_400_000,
    'milliseconds a run waits for approval before it expires',
  ).default(DEFAULT_APPROVAL_TTL_MS),
  MARKREAD_BREAK_GLASS: trueOrFalse('whether a requester may approve their own run, recorded as such').default(false),
});

/**
 * Reads MARKREAD_APPROVAL_OVER, MARKREAD_APPROVERS, MARKREAD_APPROVAL_TTL_MS and MARKREAD_BREAK_GLASS. Throws
 * ConfigError listing every problem at once, each naming its variable.
 */
export function loadApprovalConfig(env: NodeJS.ProcessEnv): ApprovalConfig {
  const raw = withoutEmpty(env);
  const parsed = schema.safeParse(raw);
  const problems = parsed.success ? [] : describeEnvIssues(parsed.error);
  problems.push(...inconsistencies(raw, parsed.data?.MARKREAD_APPROVERS));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    over: e.MARKREAD_APPROVAL_OVER,
    approvers: e.MARKREAD_APPROVERS && approversOf(e.MARKREAD_APPROVERS),
    ttlMs: e.MARKREAD_APPROVAL_TTL_MS,
    breakGlass: e.MARKREAD_BREAK_GLASS,
  };
}

/** Whether a run over `conversations` conversations must wait for another person's approval. */
export function needsApproval(config: Pick<ApprovalConfig, 'over'>, conversations: number): boolean {
  return config.over !== undefined && conversations > config.over;
}

/**
 * Settings that each parse but say nothing together. Approvers without a threshold would look like four eyes
 * while no run ever waits for them, so that is refused rather than silently off.
 */
function inconsistencies(raw: Record<string, string>, approvers: string[] | undefined): string[] {
  const problems: string[] = [];
  if (raw.MARKREAD_APPROVERS !== undefined && raw.MARKREAD_APPROVAL_OVER === undefined)
    problems.push(
      'MARKREAD_APPROVERS: is set but MARKREAD_APPROVAL_OVER is not, so no run would ever wait for an approver; set MARKREAD_APPROVAL_OVER to the number of conversations above which a run needs approval, or unset MARKREAD_APPROVERS',
    );
  if (approvers !== undefined && approvers.length === 0)
    problems.push(
      'MARKREAD_APPROVERS: lists no IDs; list the Slack user IDs (U…) or user group IDs (S…) who may approve, or unset it',
    );
  return problems;
}

function approversOf(ids: string[]): { users: Set<string>; groups: Set<string> } {
  const groups = ids.filter((id) => SLACK_USER_GROUP_ID.test(id));
  return { users: new Set(ids.filter((id) => !SLACK_USER_GROUP_ID.test(id))), groups: new Set(groups) };
}
