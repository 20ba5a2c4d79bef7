/**
 * Trends over time (descriptive, no findings): contracts and value per year, year-over-year change, and a
 * robust slope (Theil-Sen: the median of the slopes between every pair of years) of yearly value, which
 * one exceptional year cannot tilt the way it tilts a least-squares line.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { median, round, sum } from '../procurement/statistics.ts';
import { groupBy } from './group-by.ts';

export function yearlyTrends(records: readonly ProcurementRecord[]): JsonObject {
  const years = groupBy(records, (r) => r.date.slice(0, 4)).map(([year, own]) => ({
    year: Number(year),
    contracts: own.length,
    value: round(sum(own.map((r) => r.value))),
  }));
  const yearly = years.map((y, i) => {
    const previous = years[i - 1];
    const change =
      previous && previous.year === y.year - 1 && previous.value > 0 ? y.value / previous.value - 1 : null;
    return { ...y, valueChange: change === null ? null : round(change, 4) };
  });
  const slopes: number[] = [];
  for (let i = 0; i < years.length; i++) {
    for (let j = i + 1; j < years.length; j++) {
      const a = years[i] as { year: number; value: number };
      const b = years[j] as { year: number; value: number };
      slopes.push((b.value - a.value) / (b.year - a.year));
    }
  }
  const slope = slopes.length > 0 ? median(slopes) : 0;
  const busiest = [...years].sort((a, b) => b.value - a.value || a.year - b.year)[0] ?? null;
  return {
    yearly,
    valueSlopePerYear: round(slope),
    direction: slope > 0 ? 'GROWING' : slope < 0 ? 'SHRINKING' : 'FLAT',
    busiestYear: busiest ? busiest.year : null,
    statistic: 'Theil-Sen slope of yearly contracted value (BRL per year)',
  };
}
