import type { RunCheckpoint, RunSummary } from '../../domain/mark-read-run.js';
import type { SlackMessage } from '../blocks/message.js';
import { progressMessage } from '../blocks/run.js';
import type { ChannelThread } from '../transport/channel-thread.js';

/** Slack allows about one message per second per channel; progress is edited in place no more often than this. */
export const PROGRESS_EVERY_MS = 2_000;
/** How often a run saves where it is, and looks whether Stop was pressed on another replica. */
export const CHECKPOINT_EVERY_MS = 1_000;

/** Where a bulk run is, saved as it goes: whoever continues it (after a crash) picks up from here. */
export interface BulkCheckpoint extends Partial<RunCheckpoint> {
  parentTs?: string;
  replyTs?: string;
}

/** A run's checkpoint, saved one change after another: never two saves at once, never out of order. */
export class Checkpoints {
  private value: BulkCheckpoint;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    resume: BulkCheckpoint,
    private readonly store?: (checkpoint: BulkCheckpoint) => Promise<void>,
  ) {
    this.value = { ...resume };
  }

  get current(): BulkCheckpoint {
    return this.value;
  }

  /** Saving is best effort: a run goes on without it (whoever continues it then starts from an older one). */
  save(change: BulkCheckpoint): Promise<void> {
    this.value = { ...this.value, ...change };
    const snapshot = this.value;
    this.saving = this.saving.then(() => this.store?.(snapshot)).catch(() => {});
    return this.saving;
  }
}

/**
 * The one thread reply of a bulk run: its progress, posted once the run has taken a while and then edited in
 * place (at most every PROGRESS_EVERY_MS, one edit at a time), and at the end the summary. Saves the run's
 * position as it goes, at most every CHECKPOINT_EVERY_MS.
 */
export class ProgressReply {
  /** The last progress seen, for the message a shutdown leaves. */
  latest: RunSummary | undefined;
  private lastShown = performance.now();
  private lastSaved = performance.now();
  private showing: Promise<void> | undefined;

  constructor(
    private readonly thread: ChannelThread,
    private readonly runId: string,
    private readonly total: number,
    private readonly checkpoints: Checkpoints,
    /** Once the run is stopping, progress is no longer shown: the summary comes next. */
    private readonly stopped: AbortSignal,
  ) {}

  /** The reply's ts, once posted (by this process or the one the run was taken over from). */
  get ts(): string | undefined {
    return this.checkpoints.current.replyTs;
  }

  show(summary: RunSummary, position: number): void {
    this.latest = summary;
    const now = performance.now();
    if (now - this.lastSaved >= CHECKPOINT_EVERY_MS) {
      this.lastSaved = now;
      void this.checkpoints.save({ position, summary });
    }
    if (this.showing || this.thread.parentTs === undefined || this.stopped.aborted) return;
    if (now - this.lastShown < PROGRESS_EVERY_MS) return;
    this.lastShown = now;
    this.showing = this.post(progressMessage(this.runId, summary, this.total)).finally(() => {
      this.showing = undefined;
    });
  }

  /** Waits for an edit in flight, so that nothing overwrites what comes next. */
  async settled(): Promise<void> {
    await this.showing;
  }

  /** Puts `message` in the reply (a new reply if none was posted); false if Slack took neither. */
  async replace(message: SlackMessage): Promise<boolean> {
    return this.thread.show(message, this.ts);
  }

  private async post(message: SlackMessage): Promise<void> {
    const ts = this.ts;
    if (ts !== undefined) {
      await this.thread.update(message, ts);
      return;
    }
    const posted = await this.thread.reply(message);
    if (posted !== undefined) void this.checkpoints.save({ replyTs: posted });
  }
}
