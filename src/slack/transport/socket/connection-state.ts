/**
 * Whether markread can hear Slack right now, for /healthz: connected, or lost since when. A connection lost for
 * less than `graceMs` still counts as ready (a refresh or a blip).
 */
export class ConnectionState {
  private lostSince: number | undefined;

  constructor(
    private readonly graceMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.lostSince = now();
  }

  connected(): void {
    this.lostSince = undefined;
  }

  lost(): void {
    this.lostSince ??= this.now();
  }

  /** Whether a connection is open now, grace or not (the metrics' gauge). */
  isConnected(): boolean {
    return this.lostSince === undefined;
  }

  /** Undefined when ready; otherwise why not, for /healthz. */
  problem(): string | undefined {
    if (this.lostSince === undefined) return undefined;
    if (this.now() - this.lostSince < this.graceMs) return undefined;
    return `disconnected since ${new Date(this.lostSince).toISOString()}`;
  }
}
