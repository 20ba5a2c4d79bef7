/**
 * ABOVE_REFERENCE_VALUE: contracts awarded well above the purchase's estimated (reference) value.
 *
 * The estimate is what the buyer priced the purchase at before awarding it; a contract alone worth more
 * than the whole estimate needs an explanation (scope added, extensions counted in the contract total,
 * or an estimate made low on purpose to choose a cheaper procedure).
 *
 * Estimates are only compared where they measure the same thing as contract values. In the IFMS data
 * the legacy pregão estimates are item or unit prices (R$ 6.25 against a R$ 910,600.00 contract), and
 * their typical contract is several times the "estimate". So, per group of modality + law regime (with
 * at least 5 purchases to judge by), the median ratio purchase total / estimate must stay at or below
 * `referenceMaxGroupMedianRatio` and the share of purchases above the finding threshold below
 * `referenceMaxGroupAboveShare` (where estimates are real, overruns are the exception); and a single
 * ratio above `referenceMaxRatio` is treated as an estimate of something else. Both are listed in the
 * stats (`incomparable`) instead of becoming findings. The judgement uses the records given, so an
 * analysis of one agency's contracts judges that agency's groups.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { median, round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface AboveReferenceParameters {
  referenceRatioThreshold: number;
  minReferenceExcess: number;
  referenceMaxGroupMedianRatio: number;
  referenceMaxGroupAboveShare: number;
  referenceMaxRatio: number;
}

/** Groups with fewer purchases than this are too small to judge whether their estimates are comparable. */
const MIN_PURCHASES_TO_JUDGE_GROUP = 5;

export function detectAboveReference(
  records: readonly ProcurementRecord[],
  parameters: AboveReferenceParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const withReference = records.filter((r) => r.referenceValue !== undefined && r.referenceValue > 0);
  const drafts: FindingDraft[] = [];
  const incomparableGroups: JsonObject[] = [];
  const incomparableContracts: string[] = [];
  const groups = groupBy(withReference, (r) => `${r.modality}/${r.lawRegime ?? 'UNKNOWN'}`);
  for (const [group, contracts] of groups) {
    // The comparison unit is the purchase: its contracts together against its one estimate.
    const purchases = groupBy(contracts, (r) => r.purchaseId ?? `contract:${r.id}`);
    const ratios = purchases.map(
      ([, own]) => sum(own.map((r) => r.value)) / ((own[0] as ProcurementRecord).referenceValue as number),
    );
    const groupMedianRatio = median(ratios);
    const aboveShare = ratios.filter((r) => r >= parameters.referenceRatioThreshold).length / ratios.length;
    if (
      purchases.length >= MIN_PURCHASES_TO_JUDGE_GROUP &&
      (groupMedianRatio > parameters.referenceMaxGroupMedianRatio ||
        aboveShare >= parameters.referenceMaxGroupAboveShare)
    ) {
      incomparableGroups.push({
        group,
        purchases: purchases.length,
        medianRatio: round(groupMedianRatio, 2),
        aboveShare: round(aboveShare, 3),
      });
      continue;
    }
    for (const record of contracts) {
      const reference = record.referenceValue as number;
      const ratio = record.value / reference;
      const excess = record.value - reference;
      if (ratio < parameters.referenceRatioThreshold || excess < parameters.minReferenceExcess) continue;
      if (ratio > parameters.referenceMaxRatio) {
        incomparableContracts.push(record.id);
        continue;
      }
      drafts.push({
        type: 'ABOVE_REFERENCE_VALUE',
        key: record.id,
        score: 3 + 3 * Math.log2(ratio / parameters.referenceRatioThreshold),
        title: `Contract ${record.id} (${formatBrl(record.value)}) is ${round(ratio, 2)}x its purchase's estimated value of ${formatBrl(reference)}`,
        contractIds: [record.id],
        evidence: {
          statistic: 'value / referenceValue',
          value: record.value,
          referenceValue: reference,
          ratio: round(ratio, 3),
          excess: round(excess),
          threshold: parameters.referenceRatioThreshold,
          minExcess: parameters.minReferenceExcess,
          group: {
            key: group,
            purchases: purchases.length,
            medianRatio: round(groupMedianRatio, 3),
            aboveShare: round(aboveShare, 3),
          },
          purchaseId: record.purchaseId ?? null,
          modality: record.modality,
          agency: record.agency.code,
          supplier: displaySupplier(record.supplier),
        },
      });
    }
  }
  return {
    drafts,
    stats: {
      contractsWithReference: withReference.length,
      incomparable: { groups: incomparableGroups, contracts: sortIds(incomparableContracts) },
    },
  };
}
