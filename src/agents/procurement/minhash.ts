/**
 * Near-duplicate search in sub-quadratic time: MinHash signatures with locality-sensitive hashing.
 *
 * Each text is a set of shingle hashes; its signature keeps, for each of 64 hash functions, the minimum
 * hash over the set, so two signatures agree on a position with probability equal to the sets' Jaccard
 * similarity. Signatures are cut into 16 bands of 4 rows; texts sharing a whole band become candidates,
 * and only candidates get an exact Jaccard. Pairs at similarity 0.8 are found with probability
 * 1 - (1 - 0.8^4)^16 > 0.9998, pairs below 0.3 rarely reach the exact step.
 */

const HASHES = 64;
const BANDS = 16;
const ROWS = HASHES / BANDS;

/** Fixed seeds (from a linear congruential sequence) so signatures, and so results, are deterministic. */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(HASHES);
  let state = 0x9e3779b9;
  for (let i = 0; i < HASHES; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    seeds[i] = state;
  }
  return seeds;
})();

/** MurmurHash3's finalizer: a cheap, well-mixed 32-bit permutation. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function minhashSignature(shingles: Uint32Array): Uint32Array {
  const signature = new Uint32Array(HASHES).fill(0xffffffff);
  for (const shingle of shingles) {
    for (let i = 0; i < HASHES; i++) {
      const h = mix(shingle ^ (SEEDS[i] as number));
      if (h < (signature[i] as number)) signature[i] = h;
    }
  }
  return signature;
}

/** Exact Jaccard similarity of two sorted, de-duplicated arrays. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}

/** Pairs `[i, j]` (i < j) whose exact Jaccard is at least `threshold`, with their similarity. */
export function similarPairs(sets: readonly Uint32Array[], threshold: number): [number, number, number][] {
  const signatures = sets.map(minhashSignature);
  const candidates = new Set<number>();
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<string, number[]>();
    for (let index = 0; index < signatures.length; index++) {
      const signature = signatures[index] as Uint32Array;
      if ((sets[index] as Uint32Array).length === 0) continue;
      const key = signature.subarray(band * ROWS, band * ROWS + ROWS).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    }
    for (const bucket of buckets.values()) {
      for (let x = 0; x < bucket.length; x++) {
        for (let y = x + 1; y < bucket.length; y++) {
          candidates.add((bucket[x] as number) * sets.length + (bucket[y] as number));
        }
      }
    }
  }
  const pairs: [number, number, number][] = [];
  for (const code of [...candidates].sort((a, b) => a - b)) {
    const i = Math.floor(code / sets.length);
    const j = code % sets.length;
    const similarity = jaccard(sets[i] as Uint32Array, sets[j] as Uint32Array);
    if (similarity >= threshold) pairs.push([i, j, similarity]);
  }
  return pairs;
}
