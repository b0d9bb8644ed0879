/**
 * Remembers which signed requests were already accepted. Slack signs each delivery once; the same signature
 * arriving again within the signature window is a replay (or a duplicate delivery) and must not act twice.
 */
export interface ReplayGuard {
  /** True the first time `key` is seen within `ttlMs`; false for every later sighting. */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * In this process's memory: the default without Redis. What it cannot do: replicas do not see each other's
 * requests, and a restart forgets what was seen, so a request replayed to a restarted process within the window
 * is accepted once more. Entries live no longer than the signature window, so at Slack's rates the map stays
 * small; a hard cap bounds it anyway (past it, the oldest are forgotten first).
 */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 200_000,
  ) {}

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    if (this.seen.size >= this.maxEntries) this.sweep(now);
    this.seen.set(key, now + ttlMs);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
    // Still full of live entries: drop the oldest (Map keeps insertion order). Never reached at Slack's rates.
    for (const key of this.seen.keys()) {
      if (this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
  }
}
