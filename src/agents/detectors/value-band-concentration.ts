/**
 * VALUE_BAND_CONCENTRATION: dispensas bunched just below the legal limit.
 *
 * If an agency's value-limited dispensas pile up in the band just under the limit (by default 80-100 % of
 * it), the values may have been shaped to avoid a tender. Each contract is placed against its own limit
 * (law regime, inciso and date, from the legal limits table); the finding is per agency, listing the
 * contracts in the band.
 */

import type { JsonObject } from '../../engine/json.ts';
import { assessDispensaLimit } from '../procurement/dispensa-limit.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface ValueBandParameters {
  valueBandLow: number;
  valueBandShareThreshold: number;
  minBandContracts: number;
}

export function detectValueBandConcentration(
  records: readonly ProcurementRecord[],
  parameters: ValueBandParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const placed: { record: ProcurementRecord; limit: number; fraction: number }[] = [];
  for (const record of records) {
    const assessment = assessDispensaLimit(record, {
      defaultInciso: 'II',
      checkUnknownBasis: true,
      pandemicRegimeLimits: true,
    });
    if (!assessment.applies || record.value <= 0) continue;
    placed.push({ record, limit: assessment.limit.limit, fraction: record.value / assessment.limit.limit });
  }
  const drafts: FindingDraft[] = [];
  for (const [agencyCode, own] of groupBy(placed, (p) => p.record.agency.code)) {
    const inBand = own.filter((p) => p.fraction >= parameters.valueBandLow && p.fraction <= 1);
    const share = inBand.length / own.length;
    if (inBand.length < parameters.minBandContracts || share < parameters.valueBandShareThreshold) continue;
    const agencyName = own[0]?.record.agency.name ?? agencyCode;
    drafts.push({
      type: 'VALUE_BAND_CONCENTRATION',
      key: agencyCode,
      score: Math.min(
        9,
        4 +
          5 * ((share - parameters.valueBandShareThreshold) / (1 - parameters.valueBandShareThreshold || 1)),
      ),
      title: `${formatPercent(share)} of ${agencyName}'s value-limited dispensas (${inBand.length} of ${own.length}) sit at ${formatPercent(parameters.valueBandLow, 0)}-100 % of the legal limit`,
      contractIds: sortIds(inBand.map((p) => p.record.id)),
      evidence: {
        statistic: 'share of value-limited dispensas whose value / limit falls in the band',
        agency: { code: agencyCode, name: agencyName },
        band: { low: parameters.valueBandLow, high: 1 },
        dispensas: own.length,
        inBand: inBand.length,
        share: round(share, 4),
        threshold: parameters.valueBandShareThreshold,
        contracts: inBand
          .sort((a, b) => b.fraction - a.fraction || a.record.id.localeCompare(b.record.id))
          .map((p) => ({
            id: p.record.id,
            value: p.record.value,
            limit: p.limit,
            fractionOfLimit: round(p.fraction, 3),
          })),
      },
    });
  }
  return { drafts, stats: { valueLimitedDispensas: placed.length } };
}
