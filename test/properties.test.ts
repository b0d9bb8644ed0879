import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TARGETS } from './properties/targets.js';

// A quick share of the fuzz targets on every `npm test`; `npm run fuzz` runs each 100,000 times or more.
describe('properties (fast-check, 1,500 cases each)', () => {
  for (const target of TARGETS) {
    it(target.name, () => {
      fc.assert(target.property as fc.IProperty<never>, { numRuns: 1_500 });
    });
  }
});
