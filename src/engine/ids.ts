/**
 * Run identifiers: UUIDv7, so that ids sort by creation time. Run lists page on (startedAt, id), and a
 * time-ordered id keeps that order stable and index-friendly in every store.
 */

import { randomFillSync } from 'node:crypto';

// Random bytes come from the system's CSPRNG a pool at a time, and each id is written into one buffer
// and decoded once: the result is a flat string, which every Map keyed by run id hashes at once, where
// a string built by concatenation would first be flattened, and one call to the CSPRNG per id cost
// more than the rest of the id.
const POOL_BYTES = 8 * 512;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const VARIANT = Buffer.from('89ab', 'latin1');
const DASH = 0x2d;
const id = Buffer.alloc(36);

let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 string: 48 bits of milliseconds, then a 12-bit counter so that ids made in the same
 * millisecond still increase, then 62 random bits behind the variant bits.
 */
export function newRunId(now: number = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
      writeTime(lastMs);
    }
  } else {
    lastMs = now;
    counter = 0;
    writeTime(lastMs);
  }
  if (poolOffset === POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // tttttttt-tttt-7ccc-Vrrr-rrrrrrrrrrrr
  id[15] = HEX[(counter >> 8) & 0xf] as number;
  id[16] = HEX[(counter >> 4) & 0xf] as number;
  id[17] = HEX[counter & 0xf] as number;
  const random = pool[poolOffset++] as number;
  id[19] = VARIANT[random >> 6] as number;
  id[20] = HEX[random & 0xf] as number;
  let at = 21;
  for (let i = 0; i < 7; i++) {
    if (at === 23) id[at++] = DASH;
    const byte = pool[poolOffset++] as number;
    id[at++] = HEX[byte >> 4] as number;
    id[at++] = HEX[byte & 0xf] as number;
  }
  return id.toString('latin1', 0, 36);
}

/** Writes the time part and the fixed characters, which change once per millisecond, not per id. */
function writeTime(ms: number): void {
  const time = ms.toString(16).padStart(12, '0');
  id.write(`${time.slice(0, 8)}-${time.slice(8)}-7`, 0, 'latin1');
  id[18] = DASH;
}
