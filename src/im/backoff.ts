/**
 * Jittered exponential backoff: for retry n (1-based) a delay drawn uniformly from the upper half of
 * base·2^(n-1), capped. Half-jitter rather than full jitter so a retry never fires at once into the fault it
 * is backing off from, while many callers still spread out.
 */
export function backoffDelayMs(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
