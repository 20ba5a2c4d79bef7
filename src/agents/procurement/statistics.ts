/**
 * The few robust statistics the detectors share, written out so a reader can recompute any evidence by
 * hand: medians instead of means, the median absolute deviation instead of the standard deviation.
 */

/** Median of the values (average of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Quantile by linear interpolation between order statistics (R type 7, the spreadsheet default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/** Median absolute deviation from the median (unscaled). */
export function medianAbsoluteDeviation(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/**
 * Iglewicz and Hoaglin's modified z-score: 0.6745 * (x - median) / MAD. Values above 3.5 are the usual
 * outlier cut-off; 0.6745 makes the MAD comparable to a standard deviation for normal data.
 */
export function modifiedZ(x: number, center: number, mad: number): number {
  return (0.6745 * (x - center)) / mad;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Rounds for display in evidence; the computation itself never uses rounded values. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
