import type { RunSummary } from '../domain/mark-read-run.js';

/** A one-line progress bar on a terminal's stderr; silent when stderr is piped. Redraws at most 10 times a second. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number | undefined,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(summary: RunSummary): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const share = this.total ? Math.min(1, summary.done / this.total) : 0;
    const bar = this.total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ` : '';
    const of = this.total ? `/${this.total}` : '';
    this.stream.write(
      `\r${bar}${summary.done}${of} done, ${summary.ok} OK, ${summary.failed} failed, ${(summary.durationMs / 1000).toFixed(1)} s\x1b[K`,
    );
    this.drawn = true;
  }

  /** Clears the line so the summary starts clean. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
  }
}
