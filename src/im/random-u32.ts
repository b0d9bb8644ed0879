import { randomFillSync } from 'node:crypto';

// A pool refilled from the CSPRNG 256 values at a time: one syscall per 256 requests instead of one each.
const pool = new Uint32Array(256);
let next = pool.length;

/** A uniformly random unsigned 32-bit integer (0..4294967295), the `random` parameter every request needs. */
export function randomU32(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] as number;
}
