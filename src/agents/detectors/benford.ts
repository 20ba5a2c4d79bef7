/**
 * BENFORD_DEVIATION: first digits of contract values against Benford's law.
 *
 * In data spanning several orders of magnitude, the first significant digit d appears with probability
 * log10(1 + 1/d) (30.1 % ones, 4.6 % nines). Invented or steered amounts often break that. Two statistics
 * are reported: Pearson's chi-square (8 degrees of freedom; 15.507 at 5 %, 20.090 at 1 %) and the mean
 * absolute deviation (MAD) of the digit proportions, judged with Nigrini's first-digit bounds (0.006 close
 * conformity, 0.012 acceptable, 0.015 marginal, above: nonconformity). Each statistic fails in its own
 * way: the chi-square rejects almost any large sample over trivial deviations, while the MAD of a small
 * sample is large by chance alone (about 0.012 at n = 300 for data that follow the law exactly). So a
 * finding needs both: the MAD beyond `benfordMadThreshold` (material) and the chi-square beyond its 1 %
 * critical value (not chance), from at least `benfordMinSample` values.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round } from '../procurement/statistics.ts';
import { sortIds } from './group-by.ts';

export interface BenfordParameters {
  benfordMinValue: number;
  benfordMinSample: number;
  benfordMadThreshold: number;
}

export const BENFORD_EXPECTED: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) =>
  Math.log10(1 + 1 / d),
);
const CHI_SQUARE_CRITICAL_8DF = { p05: 15.507, p01: 20.09 } as const;
/** Nigrini, "Benford's Law" (2012), first-digit MAD conformity ranges. */
const NIGRINI_FIRST_DIGIT = { close: 0.006, acceptable: 0.012, marginal: 0.015 } as const;
/** Contract ids listed in a dataset-wide finding; the evidence says how many there were. */
const MAX_LISTED_IDS = 100;

export const BENFORD_CAVEAT =
  "Benford's law fits amounts that span several orders of magnitude and are not bounded or fixed by rule; procurement values cluster under legal limits and at fixed prices, so a deviation is a reason to look, not proof. Sample size matters both ways: the chi-square grows with the sample (with thousands of values even a trivial deviation is 'significant'), while the MAD of a small sample is inflated by chance (Nigrini's bounds were calibrated on large samples; at n = 300 data that follow the law exactly average a MAD near 0.012). A finding therefore needs both a MAD beyond the bound and a chi-square beyond its 1 % critical value, and none is raised below the minimum sample.";

export function firstDigit(value: number): number {
  // Scientific notation reads the first significant digit for any magnitude (0.0042 -> 4, 61233.2 -> 6).
  return Number(value.toExponential().charAt(0));
}

export function conformity(mad: number): 'CLOSE' | 'ACCEPTABLE' | 'MARGINAL' | 'NONCONFORMITY' {
  if (mad <= NIGRINI_FIRST_DIGIT.close) return 'CLOSE';
  if (mad <= NIGRINI_FIRST_DIGIT.acceptable) return 'ACCEPTABLE';
  if (mad <= NIGRINI_FIRST_DIGIT.marginal) return 'MARGINAL';
  return 'NONCONFORMITY';
}

export function benfordTest(
  records: readonly ProcurementRecord[],
  parameters: BenfordParameters,
): { drafts: FindingDraft[]; table: JsonObject } {
  const tested = records.filter((r) => r.value >= parameters.benfordMinValue);
  const n = tested.length;
  const counts = new Array<number>(9).fill(0);
  for (const r of tested) counts[firstDigit(r.value) - 1] = (counts[firstDigit(r.value) - 1] as number) + 1;
  let chiSquare = 0;
  let absoluteDeviation = 0;
  const digits = BENFORD_EXPECTED.map((expected, i) => {
    const observed = n > 0 ? (counts[i] as number) / n : 0;
    const expectedCount = n * expected;
    if (expectedCount > 0) chiSquare += ((counts[i] as number) - expectedCount) ** 2 / expectedCount;
    absoluteDeviation += Math.abs(observed - expected);
    // Nigrini's z for one digit, with the continuity correction 1/(2n).
    const z =
      n > 0
        ? Math.max(0, Math.abs(observed - expected) - 1 / (2 * n)) /
          Math.sqrt((expected * (1 - expected)) / n)
        : 0;
    return {
      digit: i + 1,
      count: counts[i] as number,
      observed: round(observed, 4),
      expected: round(expected, 4),
      z: round(z, 2),
    };
  });
  const mad = n > 0 ? absoluteDeviation / 9 : 0;
  const level = conformity(mad);
  const table: JsonObject = {
    sampleSize: n,
    minValue: parameters.benfordMinValue,
    digits,
    chiSquare: round(chiSquare, 3),
    chiSquareCritical: { ...CHI_SQUARE_CRITICAL_8DF },
    chiSquareRejects5: chiSquare > CHI_SQUARE_CRITICAL_8DF.p05,
    chiSquareRejects1: chiSquare > CHI_SQUARE_CRITICAL_8DF.p01,
    mad: round(mad, 5),
    madThreshold: parameters.benfordMadThreshold,
    conformity: level,
    reliableSample: n >= parameters.benfordMinSample,
    caveat: BENFORD_CAVEAT,
  };
  const drafts: FindingDraft[] = [];
  const significant = chiSquare > CHI_SQUARE_CRITICAL_8DF.p01;
  if (n >= parameters.benfordMinSample && mad > parameters.benfordMadThreshold && significant) {
    const excess = digits.filter((d) => d.z > 1.96 && d.observed > d.expected).map((d) => d.digit);
    const implicated = sortIds(tested.filter((r) => excess.includes(firstDigit(r.value))).map((r) => r.id));
    drafts.push({
      type: 'BENFORD_DEVIATION',
      key: `first-digit:${n}`,
      score: 4 + (mad - parameters.benfordMadThreshold) / 0.004,
      title: `First digits of ${n} contract values deviate from Benford's law (MAD ${round(mad, 4)} > ${parameters.benfordMadThreshold}${excess.length ? `; excess of leading ${excess.join(', ')}` : ''})`,
      contractIds: implicated.slice(0, MAX_LISTED_IDS),
      evidence: {
        statistic:
          'mean absolute deviation of first-digit proportions from log10(1 + 1/d); chi-square (8 df) alongside',
        ...table,
        overRepresentedDigits: excess,
        implicatedContracts: implicated.length,
        listedContracts: Math.min(implicated.length, MAX_LISTED_IDS),
      },
    });
  }
  return { drafts, table };
}
