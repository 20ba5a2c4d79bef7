/** Small statistics helpers shared by the benchmarks. */

/** The p-th percentile (0–100) of values sorted ascending, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function sortedCopy(values: ArrayLike<number>, count = values.length): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => values[i] as number).sort();
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** "min–max" of several measurements, to show their spread. */
export function spread(values: readonly number[], digits = 0): string {
  if (values.length < 2) return '';
  const sorted = [...values].sort((a, b) => a - b);
  return `${fixed(sorted[0] as number, digits)}–${fixed(sorted[sorted.length - 1] as number, digits)}`;
}

export function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Rounded to 2 decimals (3 significant digits under 1). */
export function round(n: number): number {
  if (!Number.isFinite(n)) return n;
  if (Math.abs(n) < 1) return Math.round(n * 1000) / 1000;
  return Math.round(n * 100) / 100;
}

export const MiB = 2 ** 20;

/** A growable array of float samples. */
export class Samples {
  #values = new Float64Array(1024);
  #length = 0;

  add(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  sorted(): Float64Array {
    return this.#values.slice(0, this.#length).sort();
  }
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}
