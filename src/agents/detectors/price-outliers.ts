/**
 * PRICE_OUTLIER: contracts far above their comparable group.
 *
 * Groups are modality + object category (see `object-category.ts`): a pregão for cleaning services is
 * compared with other pregões for cleaning services. Contract values span orders of magnitude, so the
 * test runs on ln(value) with the median and the median absolute deviation (robust to the very outliers
 * it looks for) and flags modified z-scores above the threshold, high side only: an unusually cheap
 * contract is not a sign of overpricing. Values are contract totals, not unit prices, so an outlier is an
 * unusually large contract for its kind, which a person then explains (scope, duration) or not.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import { objectCategory } from '../procurement/object-category.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { median, medianAbsoluteDeviation, modifiedZ, round } from '../procurement/statistics.ts';

export interface PriceOutlierParameters {
  outlierZThreshold: number;
  minGroupSize: number;
}

export function detectPriceOutliers(
  records: readonly ProcurementRecord[],
  parameters: PriceOutlierParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const groups = new Map<string, ProcurementRecord[]>();
  for (const record of records) {
    if (record.value <= 0) continue;
    const category = objectCategory(record.description, record.descriptionFallback);
    if (category === 'UNKNOWN') continue;
    const key = `${record.modality}/${category}`;
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  }
  const drafts: FindingDraft[] = [];
  let tested = 0;
  let groupsTested = 0;
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (group.length < parameters.minGroupSize) continue;
    const logs = group.map((r) => Math.log(r.value));
    const center = median(logs);
    const mad = medianAbsoluteDeviation(logs, center);
    // Half or more of the group share one value: no spread to measure against.
    if (mad === 0) continue;
    groupsTested++;
    tested += group.length;
    const medianValue = Math.exp(center);
    for (const record of group) {
      const z = modifiedZ(Math.log(record.value), center, mad);
      if (z <= parameters.outlierZThreshold) continue;
      const [modality, category] = key.split('/') as [string, string];
      const ratio = record.value / medianValue;
      drafts.push({
        type: 'PRICE_OUTLIER',
        key: record.id,
        score: 3 + (z - parameters.outlierZThreshold) * 1.2,
        title: `Contract ${record.id} (${formatBrl(record.value)}) is ${round(ratio, 1)}x the median of ${group.length} comparable ${modality}/${category} contracts`,
        contractIds: [record.id],
        evidence: {
          statistic: 'modified z-score of ln(value): 0.6745 * (ln value - median) / MAD',
          group: { modality, category, contracts: group.length },
          value: record.value,
          groupMedianValue: round(medianValue),
          medianLnValue: round(center, 4),
          madLnValue: round(mad, 4),
          robustZ: round(z, 2),
          threshold: parameters.outlierZThreshold,
          ratioToMedian: round(ratio, 2),
          agency: record.agency.code,
          supplier: displaySupplier(record.supplier),
          description: record.description.slice(0, 200),
        },
      });
    }
  }
  return { drafts, stats: { comparableGroups: groups.size, groupsTested, contractsTested: tested } };
}
