/**
 * Whether markread can hear Slack right now, for /healthz and the logs: connected since when, or lost since
 * when. A connection lost for less than `graceMs` still counts as ready (a refresh or a blip).
 */
export class ConnectionState {
  private connectedSince: number | undefined;
  private lostSince: number | undefined;

  constructor(
    private readonly graceMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.lostSince = now();
  }

  connected(): void {
    this.connectedSince ??= this.now();
    this.lostSince = undefined;
  }

  lost(): void {
    this.connectedSince = undefined;
    this.lostSince ??= this.now();
  }

  get isConnected(): boolean {
    return this.connectedSince !== undefined;
  }

  /** Undefined when ready; otherwise why not, for /healthz. */
  problem(): string | undefined {
    if (this.lostSince === undefined) return undefined;
    if (this.now() - this.lostSince < this.graceMs) return undefined;
    return `disconnected since ${new Date(this.lostSince).toISOString()}`;
  }
}
