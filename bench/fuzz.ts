/**
 * `npm run fuzz`: every property target, FUZZ_RUNS times each (default 100,000), with the seed printed so a
 * failure can be replayed (`FUZZ_SEED=… npm run fuzz`).
 */
import fc from 'fast-check';
import { TARGETS } from '../test/properties/targets.js';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
let failed = 0;
for (const target of TARGETS) {
  const started = performance.now();
  const details = fc.check(target.property as fc.IProperty<never>, { numRuns: runs, seed });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    failed++;
    console.log(
      `FAIL  ${target.name}\n      after ${details.numRuns} cases (seed ${seed}): ${fc.defaultReportMessage(details)}`,
    );
  } else console.log(`ok    ${details.numRuns.toLocaleString('en-US')} cases in ${seconds} s  ${target.name}`);
}
console.log(`${TARGETS.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
