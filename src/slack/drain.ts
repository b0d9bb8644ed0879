import type { Logger } from '../log/logger.js';
import type { RunStore } from '../stores/runs.js';
import type { LocalRuns } from '../work/local-runs.js';
import type { SlackJobs } from './flows/jobs.js';
import type { InFlight } from './in-flight.js';

/** After the drain, how long the interruption messages may take. */
export const INTERRUPT_MS = 5_000;

/**
 * The first step of a shutdown, wherever work runs: take no new jobs. With a durable journal, runs in progress are
 * handed over (another replica continues them from their checkpoint); without one, they stop taking new pairs,
 * and what was sent finishes and their summaries are posted in the drain.
 */
export async function stopTakingWork(jobs: SlackJobs, local: LocalRuns, runs: RunStore): Promise<void> {
  await jobs.stop();
  if (jobs.durable) return;
  for (const id of local.ids()) {
    const stopping = await runs
      .transition(id, 'shut-down', { stopReason: 'stopped because markread was shutting down' })
      .catch(() => ({ ok: true as const }));
    if (stopping.ok) local.abort(id);
  }
}

/** Waits up to `drainMs` for work in flight; whatever is left then tells its requester it was interrupted. */
export async function drainOrInterrupt(inFlight: InFlight, drainMs: number, logger: Logger): Promise<boolean> {
  const drained = await inFlight.drain(drainMs);
  if (!drained) {
    const told = await inFlight.interruptAll(INTERRUPT_MS);
    logger.warn(
      { interrupted: told },
      `shutdown: ${told} command(s) or run(s) still waiting on the IM API after ${drainMs} ms; each requester was told what was sent and to run it again`,
    );
  }
  return drained;
}
