/**
 * Run identifiers: UUIDv7, so that ids sort by creation time. Run lists page on (startedAt, id), and a
 * time-ordered id keeps that order stable and index-friendly in every store.
 */

import { randomUUID } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 string: 48 bits of milliseconds, then a 12-bit counter so that ids made in the same
 * millisecond still increase, then the random bits of a v4 UUID from the system's CSPRNG.
 */
export function newRunId(now: number = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
  } else {
    lastMs = now;
    counter = 0;
  }
  const time = lastMs.toString(16).padStart(12, '0');
  const random = randomUUID();
  // random is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep its variant and last 62 random bits.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}${random.slice(18)}`;
}
