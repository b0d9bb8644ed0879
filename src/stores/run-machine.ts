/**
 * The life of a bulk run, in one table: its states, the transitions between them, and who may make each. Every
 * run store (memory, Redis) checks a transition against this table in one atomic step, through `judge` (Redis:
 * through the openings `judge` allows, fed to its script), so the rules exist once.
 */

/**
 * approval: over the approval threshold, waiting for another person's approval (or its requester's break glass,
 * or its deadline). awaiting: counted, waiting for its requester's Confirm (an --all, or a check's Fix it).
 * running: marking. stopping: Stop was pressed (or markread is shutting down) and the run is finishing what it
 * sent. finished / cancelled: over.
 */
export const RUN_STATES = ['approval', 'awaiting', 'running', 'stopping', 'finished', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * The states a run is created in: a run over the approval threshold waits for approval, an --all waits for
 * Confirm, a many-peer run starts at once.
 */
export type StartState = Extract<RunState, 'approval' | 'awaiting' | 'running'>;

/** The states in which some process is working on the run: it ends them itself (not `approval`: nobody is). */
export const WORKING: readonly RunState[] = ['running', 'stopping'];

/**
 * Who may make a transition. requester: only the person who asked for the run. any-allowed: anyone on the
 * allowlist. other-allowed: anyone on the allowlist but the requester (a second pair of eyes). markread: no
 * person; markread itself, as a run ends or the process shuts down.
 */
export type Who = 'requester' | 'any-allowed' | 'other-allowed' | 'markread';

/** Who is acting, as the table sees them: markread itself, the run's requester, or another person. */
export const ACTORS = ['markread', 'requester', 'someone-else'] as const;
export type Actor = (typeof ACTORS)[number];

export interface TransitionRule {
  from: readonly RunState[];
  to: RunState;
  who: Who;
  /**
   * The person must be on the allowlist as they act, beyond what `who` says (always so for the *-allowed rules).
   * A store cannot know the allowlist: the surface checks it before the transition, never after a claim.
   */
  allowlist?: true;
  /**
   * The transition settles an approval: the store records this decision (who, when, why) in the same atomic
   * step, so whoever presses next can be told who decided and when.
   */
  decides?: DecisionKind;
}

/** How an approval was settled. */
export const DECISION_KINDS = ['approved', 'self-approved', 'denied', 'withdrawn', 'expired'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * Every transition. Confirm starts work on the IM API, so its requester must still be allowed; Cancel and Stop
 * only keep markread from acting, so a requester just taken off the allowlist can still use them.
 */
export const RUN_TRANSITIONS = {
  confirm: { from: ['awaiting'], to: 'running', who: 'requester', allowlist: true },
  cancel: { from: ['awaiting'], to: 'cancelled', who: 'requester' },
  stop: { from: ['running'], to: 'stopping', who: 'requester' },
  /** Markread is shutting down with nobody to hand the run to: it stops taking pairs. */
  'shut-down': { from: ['running'], to: 'stopping', who: 'markread' },
  /** The run ended (done, stopped, or given up after too many restarts). */
  finish: { from: WORKING, to: 'finished', who: 'markread' },
  /** A run acked but never started (markread was busy, or shutting down): its buttons say it is over. */
  abandon: { from: WORKING, to: 'cancelled', who: 'markread' },
  /**
   * A second person approves a run over the threshold. Like Confirm it starts work, so the approver must be
   * allowed: here that means the allowlist, checked by the surface before the transition; a surface with a list
   * of approvers checks that list instead, also before (the store cannot know either).
   */
  approve: { from: ['approval'], to: 'running', who: 'other-allowed', decides: 'approved' },
  /** Break glass: the requester starts their own run without a second person (the surface checks it is enabled). */
  'self-approve': { from: ['approval'], to: 'running', who: 'requester', allowlist: true, decides: 'self-approved' },
  /** A second person refuses the run; it never starts. */
  deny: { from: ['approval'], to: 'cancelled', who: 'other-allowed', decides: 'denied' },
  /** The requester takes the run back before anyone decided. */
  withdraw: { from: ['approval'], to: 'cancelled', who: 'requester', decides: 'withdrawn' },
  /** Nobody decided by the deadline: exactly one replica wins this, and tells the requester. */
  expire: { from: ['approval'], to: 'cancelled', who: 'markread', decides: 'expired' },
} as const satisfies Record<string, TransitionRule>;
export type RunTransition = keyof typeof RUN_TRANSITIONS;

/**
 * Why a transition was refused. missing: no such run (never was, or forgotten). wrong-state: the run is not in a
 * state the transition starts from. not-requester: only the requester may. own-run: the requester may not (another
 * allowed person must). not-a-person: a person's transition attempted by markread. not-markread: markread's own
 * transition attempted by a person. expired: a person's answer to an approval came at or after its deadline
 * (by the store's clock), before markread's `expire` had settled it: the deadline, not the sweep, ends the wait.
 */
export const RUN_REFUSALS = [
  'missing',
  'wrong-state',
  'not-requester',
  'own-run',
  'not-a-person',
  'not-markread',
  'expired',
] as const;
export type RunRefusal = (typeof RUN_REFUSALS)[number];

/** `by` (a person's id, or undefined for markread itself) as the table sees them on a run `requester` asked for. */
export function actorOf(by: string | undefined, requester: string): Actor {
  if (by === undefined) return 'markread';
  return by === requester ? 'requester' : 'someone-else';
}

/** Why `actor` may not make `transition` on a run in `state`, or undefined if they may. Who is checked first. */
export function judge(
  transition: RunTransition | TransitionRule,
  actor: Actor,
  state: RunState,
): RunRefusal | undefined {
  const rule: TransitionRule = typeof transition === 'string' ? RUN_TRANSITIONS[transition] : transition;
  const refusal = refusalOfWho(rule.who, actor);
  if (refusal) return refusal;
  return rule.from.includes(state) ? undefined : 'wrong-state';
}

function refusalOfWho(who: Who, actor: Actor): RunRefusal | undefined {
  if (who === 'markread') return actor === 'markread' ? undefined : 'not-markread';
  if (actor === 'markread') return 'not-a-person';
  if (who === 'requester' && actor !== 'requester') return 'not-requester';
  if (who === 'other-allowed' && actor === 'requester') return 'own-run';
  return undefined;
}

/**
 * Every (state, actor) from which `transition` goes ahead: the table as data, for a store that must check it
 * where `judge` cannot run (Redis, in a script).
 */
export function openings(transition: RunTransition): { state: RunState; actor: Actor }[] {
  return RUN_STATES.flatMap((state) =>
    ACTORS.filter((actor) => judge(transition, actor, state) === undefined).map((actor) => ({ state, actor })),
  );
}

/**
 * Whether the person making `transition` must be on the allowlist (checked before the transition). The approval
 * buttons do not ask: their handler decides who may approve or deny (MARKREAD_APPROVERS need not be allowed).
 */
export function needsAllowlist(transition: RunTransition): boolean {
  const rule: TransitionRule = RUN_TRANSITIONS[transition];
  return rule.allowlist === true || rule.who === 'any-allowed' || rule.who === 'other-allowed';
}

/**
 * Whether `transition` is a person settling an approval (a rule from `approval` that markread does not make), which
 * a store refuses once the run's deadline has come, even if markread has not yet expired it. `judge` cannot say
 * so: it knows no clock and no run, only states and actors.
 */
export function barredByDeadline(transition: RunTransition): boolean {
  const rule: TransitionRule = RUN_TRANSITIONS[transition];
  return rule.from.includes('approval') && rule.who !== 'markread';
}

/** The decision `transition` records when it goes ahead, or undefined for one that settles no approval. */
export function decisionOf(transition: RunTransition): DecisionKind | undefined {
  const rule: TransitionRule = RUN_TRANSITIONS[transition];
  return rule.decides;
}
