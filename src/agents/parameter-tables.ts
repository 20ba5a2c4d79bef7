/**
 * Every threshold of every analysis action, with its default and meaning, as plain data.
 *
 * The agent descriptors list these (so `agents { actions { parameters } }` documents them without loading
 * analysis code), the agents build their zod schemas from them, and `docs/agents.md` repeats them. A
 * threshold that is not in a table here is not a threshold: it is a constant with a reason in a comment.
 */

import type { JsonValue } from '../engine/json.ts';

export interface ParameterSpec {
  default: JsonValue;
  description: string;
}

export type ParameterTable = Readonly<Record<string, ParameterSpec>>;

/** Action descriptor lines: `parameters.<name>` -> "description (default x)". */
export function describeParameters(table: ParameterTable): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const [name, spec] of Object.entries(table)) {
    lines[`parameters.${name}`] = `${spec.description} (default ${JSON.stringify(spec.default)})`;
  }
  return lines;
}

export const ZUMBI_DETECTORS = [
  'PRICE_OUTLIER',
  'ABOVE_REFERENCE_VALUE',
  'SUPPLIER_CONCENTRATION',
  'VOLUME_SPIKE',
  'DUPLICATE_DESCRIPTION',
  'CONTRACT_SPLITTING',
] as const;

export const ZUMBI_PARAMETERS = {
  detectors: {
    default: [...ZUMBI_DETECTORS],
    description: `Detectors to run, any of ${ZUMBI_DETECTORS.join(', ')}`,
  },
  outlierZThreshold: {
    default: 3.5,
    description:
      'PRICE_OUTLIER: modified z-score 0.6745*(ln value - median ln value)/MAD within the comparable group (modality + object category) above which a contract is flagged',
  },
  minGroupSize: {
    default: 8,
    description: 'PRICE_OUTLIER: contracts a comparable group needs before it is tested',
  },
  referenceRatioThreshold: {
    default: 1.25,
    description:
      'ABOVE_REFERENCE_VALUE: value / reference (estimated) value at or above which a contract is flagged',
  },
  minReferenceExcess: {
    default: 1000,
    description: 'ABOVE_REFERENCE_VALUE: minimum excess over the reference value, in BRL',
  },
  referenceMaxGroupMedianRatio: {
    default: 1.5,
    description:
      'ABOVE_REFERENCE_VALUE: a modality + law-regime group whose median purchase total / estimate exceeds this has estimates of something else (item or unit prices) and is not tested',
  },
  referenceMaxGroupAboveShare: {
    default: 0.4,
    description:
      'ABOVE_REFERENCE_VALUE: a modality + law-regime group in which this share of purchases or more exceeds the ratio threshold has estimates of something else and is not tested',
  },
  referenceMaxRatio: {
    default: 50,
    description:
      'ABOVE_REFERENCE_VALUE: a contract above this multiple of its estimate is taken as an incomparable estimate (listed in stats), not a finding',
  },
  concentrationThreshold: {
    default: 0.7,
    description:
      "SUPPLIER_CONCENTRATION: share of an agency's contracted value going to one supplier that is flagged",
  },
  minAgencyContracts: {
    default: 10,
    description:
      'SUPPLIER_CONCENTRATION: contracts an agency needs in the period before its concentration is assessed',
  },
  concentrationPeriod: {
    default: 'YEAR',
    description:
      'SUPPLIER_CONCENTRATION: YEAR (per agency and calendar year) or ALL (per agency over the whole input)',
  },
  spikeZThreshold: {
    default: 3.5,
    description:
      "VOLUME_SPIKE: modified z-score of a month's contract count, or of its ln(total value), against the agency's months with contracts, above which the month is flagged",
  },
  spikeMinRatio: {
    default: 4,
    description:
      "VOLUME_SPIKE: a flagged month's count (or total value) must also be at least this multiple of the agency's median month",
  },
  minActiveMonths: {
    default: 12,
    description: 'VOLUME_SPIKE: months with contracts an agency needs before spikes are assessed',
  },
  similarityThreshold: {
    default: 0.8,
    description:
      'DUPLICATE_DESCRIPTION: Jaccard similarity of character 5-shingles at or above which two purchases match',
  },
  minDescriptionLength: {
    default: 40,
    description:
      'DUPLICATE_DESCRIPTION: characters (letters and digits) a description needs to be compared; shorter ones are boilerplate',
  },
  splittingWindowDays: {
    default: 90,
    description:
      'CONTRACT_SPLITTING: days within which direct purchases from one supplier and agency are summed',
  },
  splittingMinPurchases: {
    default: 2,
    description: 'CONTRACT_SPLITTING: distinct purchases a split needs',
  },
  pandemicRegimeLimits: {
    default: true,
    description:
      'CONTRACT_SPLITTING: apply the higher 2020 limits of MP 961/2020 (Lei 14.065/2020) to Lei 8.666 purchases made between 2020-05-07 and 2020-12-31',
  },
} as const satisfies ParameterTable;

export const ANITA_PATTERNS = [
  'YEAR_END_SPIKE',
  'MULTI_AGENCY_SUPPLIER',
  'VALUE_BAND_CONCENTRATION',
  'MODALITY_MIX',
] as const;

export const ANITA_PARAMETERS = {
  patterns: {
    default: [...ANITA_PATTERNS],
    description: `Patterns to test, any of ${ANITA_PATTERNS.join(', ')}`,
  },
  yearEndShareThreshold: {
    default: 0.3,
    description:
      "YEAR_END_SPIKE: share of an agency's contracts of a year dated in December that is flagged (an even spread gives 1/12)",
  },
  minYearContracts: {
    default: 12,
    description: 'YEAR_END_SPIKE: contracts an agency needs in a year before that year is assessed',
  },
  minAgencies: {
    default: 5,
    description:
      'MULTI_AGENCY_SUPPLIER: distinct agencies (and distinct purchases) a supplier must have contracts with to be reported',
  },
  valueBandLow: {
    default: 0.8,
    description:
      'VALUE_BAND_CONCENTRATION: lower edge of the band just below the dispensa limit, as a fraction of the limit',
  },
  valueBandShareThreshold: {
    default: 0.3,
    description:
      "VALUE_BAND_CONCENTRATION: share of an agency's value-limited dispensas inside the band that is flagged",
  },
  minBandContracts: {
    default: 5,
    description: 'VALUE_BAND_CONCENTRATION: contracts inside the band needed for a finding',
  },
  nonCompetitiveShareThreshold: {
    default: 0.6,
    description:
      "MODALITY_MIX: share of an agency's contracted value awarded without competition (dispensa + inexigibilidade) that is flagged",
  },
  minAgencyContracts: {
    default: 10,
    description: 'MODALITY_MIX: contracts an agency needs before its modality mix is assessed',
  },
} as const satisfies ParameterTable;

export const OXOSSI_TESTS = ['BENFORD_DEVIATION', 'REPEATED_VALUE', 'ROUND_VALUE_PREFERENCE'] as const;

export const OXOSSI_PARAMETERS = {
  tests: { default: [...OXOSSI_TESTS], description: `Tests to run, any of ${OXOSSI_TESTS.join(', ')}` },
  benfordMinValue: {
    default: 10,
    description: 'BENFORD_DEVIATION: values below this (BRL) are left out of the first-digit test',
  },
  benfordMinSample: {
    default: 300,
    description:
      'BENFORD_DEVIATION: values needed before a deviation becomes a finding (the statistics are always reported)',
  },
  benfordMadThreshold: {
    default: 0.015,
    description:
      "BENFORD_DEVIATION: mean absolute deviation above which first digits are flagged (Nigrini's nonconformity bound)",
  },
  repeatedMinOccurrences: {
    default: 3,
    description: 'REPEATED_VALUE: distinct purchases that must share an identical value (to the cent)',
  },
  repeatedMinValue: {
    default: 1000,
    description:
      'REPEATED_VALUE: values below this (BRL) are not tested (small fixed prices repeat naturally)',
  },
  roundUnit: {
    default: 1000,
    description: 'ROUND_VALUE_PREFERENCE: a value is round when it is a multiple of this (BRL)',
  },
  roundMinValue: {
    default: 10000,
    description: 'ROUND_VALUE_PREFERENCE: values below this (BRL) are not counted',
  },
  roundShareThreshold: {
    default: 0.3,
    description:
      "ROUND_VALUE_PREFERENCE: share of an agency's counted values that are round above which it is flagged",
  },
  roundMinCount: {
    default: 5,
    description: 'ROUND_VALUE_PREFERENCE: round values an agency needs for a finding',
  },
} as const satisfies ParameterTable;

export const BONIFACIO_PARAMETERS = {
  defaultInciso: {
    default: 'II',
    description:
      "Inciso (I: engineering works/services; II: other goods and services) assumed when a dispensa's legal basis does not say",
  },
  checkUnknownBasis: {
    default: true,
    description:
      'Also check dispensas whose legal basis is missing or does not name the ground (findings carry a caveat and a lower score)',
  },
  pandemicRegimeLimits: {
    default: true,
    description:
      'Apply the higher 2020 limits of MP 961/2020 (Lei 14.065/2020) to Lei 8.666 purchases made between 2020-05-07 and 2020-12-31',
  },
} as const satisfies ParameterTable;

export const TIRADENTES_PARAMETERS = {
  title: { default: 'Procurement investigation report', description: 'Report title' },
  generatedAt: {
    default: null,
    description: 'Timestamp to print in the report; none by default so the same input gives the same report',
  },
  maxFindings: { default: 50, description: 'Findings detailed in the report (all are counted)' },
} as const satisfies ParameterTable;

export const RANK_AGENCIES_PARAMETERS = {
  topFindingsPerAgency: {
    default: 3,
    description: 'Strongest findings listed for each agency in the ranking',
  },
} as const satisfies ParameterTable;
