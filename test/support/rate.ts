import assert from 'node:assert/strict';

/**
 * How far over the ceiling a mean rate may read. Arrivals are timestamped where the stand-in receives them, so a
 * stall can delay the first one and shorten the measured span a little; broken pacing reads many times over.
 */
export const RATE_TOLERANCE = 1.1;

/**
 * The mean rate per second of arrivals timestamped in ms: the intervals between them over the time from the first
 * to the last. The pacers never let the last of n requests leave before n − 1 intervals after the first, so
 * jitter can only lower this (or raise it by delaying the first arrival), unlike the most in any sliding second,
 * which a few bunched arrivals push over the ceiling. Sliding-window maxima are measured by `npm run bench`.
 */
export function meanRatePerSecond(times: number[]): number {
  assert.ok(times.length >= 2, `a rate needs two arrivals or more, got ${times.length}`);
  const span = Math.max(...times) - Math.min(...times);
  return ((times.length - 1) * 1_000) / span;
}

/** Asserts the mean rate of `times` is within RATE_TOLERANCE of `ceilingPerSecond`; returns it. */
export function assertMeanRateUnder(times: number[], ceilingPerSecond: number, what: string): number {
  const rate = meanRatePerSecond(times);
  assert.ok(
    rate <= ceilingPerSecond * RATE_TOLERANCE,
    `${what}: ${rate.toFixed(1)}/s on average over ${times.length} arrivals; the ceiling is ${ceilingPerSecond}/s`,
  );
  return rate;
}
