import type { RunSummary } from '../domain/mark-read-run.js';

/** Runs of up to this many pairs print every pair on a terminal; longer ones print only the pairs that failed. */
export const EVERY_PAIR_UP_TO = 10;

/**
 * A one-line progress bar on a terminal's stderr (silent when stderr is not a terminal), sized to the terminal's
 * width so it never wraps. Lines printed while it shows go through `above()`, which lifts the bar, prints, and
 * puts it back at once, so the two never fight; plain updates redraw at most 10 times a second.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private latest: RunSummary | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number | undefined,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(summary: RunSummary): void {
    this.latest = summary;
    if (this.enabled && performance.now() - this.lastDraw >= 100) this.draw();
  }

  /** Prints something (a pair line on stdout) above the bar. */
  above(print: () => void): void {
    this.clear();
    print();
    if (this.latest) this.draw();
  }

  /** Clears the line so the summary starts clean. */
  finish(): void {
    this.clear();
  }

  /** The bar's text for a terminal `columns` wide: never longer than one line. */
  render(summary: RunSummary, columns: number): string {
    const of = this.total ? `/${this.total.toLocaleString('en-US')}` : '';
    const text = `${summary.done.toLocaleString('en-US')}${of} done, ${summary.ok} OK, ${summary.failed} failed, ${(summary.durationMs / 1000).toFixed(1)} s`;
    const room = columns - 1 - text.length - 3;
    const width = Math.min(30, room);
    const share = this.total ? Math.min(1, summary.done / this.total) : 0;
    const bar = this.total && width >= 5 ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ` : '';
    return `${bar}${text}`.slice(0, Math.max(1, columns - 1));
  }

  private draw(): void {
    if (!this.enabled || !this.latest) return;
    this.lastDraw = performance.now();
    this.stream.write(`\r${this.render(this.latest, this.stream.columns ?? 80)}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
