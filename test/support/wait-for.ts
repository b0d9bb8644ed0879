import { setTimeout as delay } from 'node:timers/promises';

/** What a truthy value can be: `waitFor` resolves with one. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export interface WaitForOptions {
  /** What is awaited, in words: a timeout names it. */
  what: string;
  /** The longest it waits in all. Generous by default: a loaded machine is slow, and only a failure waits it out. */
  timeoutMs?: number;
  /** The pause between two looks. */
  intervalMs?: number;
}

/**
 * The one way tests wait: resolves with the first truthy value `predicate` gives (it may be async), looking again
 * every `intervalMs`, and rejects naming `what` once `timeoutMs` have passed in all. A predicate that throws
 * rejects at once. Wait for a positive sign (a request recorded, a message posted, a log line), never for time.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { what, timeoutMs = 20_000, intervalMs = 20 }: WaitForOptions,
): Promise<Truthy<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as Truthy<T>;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}
