/**
 * Precision and recall of a detector on synthetic data: the keys its findings name, compared with the
 * keys of the anomalies the generator planted.
 */

import type { Finding, FindingType } from '../../../src/agents/procurement/findings.ts';

type Evidence = Record<string, unknown>;

const agencyCode = (e: Evidence) => String((e.agency as { code: string }).code);

/** The identity a finding of each type names, in the generator's truth-key format. */
export function findingKey(finding: Finding): string {
  const e = finding.evidence as Evidence;
  switch (finding.type as FindingType) {
    case 'SUPPLIER_CONCENTRATION':
      return `${agencyCode(e)}:${String(e.period)}`;
    case 'VOLUME_SPIKE':
      return `${agencyCode(e)}:${String(e.month)}`;
    case 'DUPLICATE_DESCRIPTION':
      return (e.purchases as { purchaseId: string }[])
        .map((p) => p.purchaseId)
        .sort()
        .join('|');
    case 'CONTRACT_SPLITTING':
      return `${agencyCode(e)}:${(e.supplier as { id: string }).id}`;
    case 'YEAR_END_SPIKE':
      return `${agencyCode(e)}:${String(e.year)}`;
    case 'MULTI_AGENCY_SUPPLIER':
      return (e.supplier as { id: string }).id;
    case 'VALUE_BAND_CONCENTRATION':
    case 'MODALITY_MIX':
    case 'ROUND_VALUE_PREFERENCE':
      return agencyCode(e);
    case 'REPEATED_VALUE':
      return Number(e.value).toFixed(2);
    default:
      return finding.contractIds[0] ?? finding.id;
  }
}

export interface Quality {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export function emptyQuality(): Quality {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 };
}

/** Adds one dataset's outcome: `predicted` keys (de-duplicated) against `truth` keys. */
export function accumulate(total: Quality, predicted: readonly string[], truth: readonly string[]): Quality {
  const found = new Set(predicted);
  const expected = new Set(truth);
  const tp = [...found].filter((k) => expected.has(k)).length;
  const truePositives = total.truePositives + tp;
  const falsePositives = total.falsePositives + (found.size - tp);
  const falseNegatives = total.falseNegatives + (expected.size - tp);
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives),
    recall: truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives),
  };
}
