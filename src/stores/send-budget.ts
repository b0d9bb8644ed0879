/** A granted send slot. `sent()` moves its time to when the request really left (never earlier). */
export interface SendSlot {
  sent(at?: number): void;
}

/**
 * How many calls of one API may leave, and when. The IM client knows only this interface.
 *
 * The in-memory default is the IM client's own pacer, `SlidingWindowPacer` (im/pacer.ts), which the client makes
 * for itself when no factory is given; it stays beside the client it paces. What it cannot do: it paces this
 * process alone. Replicas, or the CLI run beside the app, each allow the whole ceiling, so together they can
 * exceed it. With Redis, one budget is shared by every replica and the CLI (`RedisSendBudget`, redis/).
 */
export interface SendBudget {
  /** The ceiling: calls in any sliding second. */
  readonly maxPerWindow: number;
  /** The rate allowed now (below the ceiling after a slow-down). */
  readonly currentLimit: number;
  /** Callers of this process waiting for a slot. */
  readonly queued: number;
  /** Roughly how long a caller asking now would wait. */
  estimatedWaitMs(): number;
  /**
   * Resolves when the caller may send. Rejects with PacerAbortedError if `signal` aborts first, or at once if the
   * slot would come later than `maxWaitMs` from now (no slot is taken then).
   */
  acquire(signal?: AbortSignal, maxWaitMs?: number): Promise<SendSlot>;
  /** The server said "too many calls": slow down (everyone sharing the budget). */
  slowDown(): void;
  close(): void;
}

/**
 * Makes the budget of one API command of one IM app (its SDKAppID) with its ceiling. Each app has budgets of its
 * own: two apps at their own ceilings at once never slow each other.
 */
export type SendBudgetFactory = (command: string, maxPerWindow: number, sdkAppId: number) => SendBudget;
