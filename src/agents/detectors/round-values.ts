/**
 * ROUND_VALUE_PREFERENCE: agencies whose contract values are mostly round numbers.
 *
 * Prices that come out of a market (unit price x quantity, a competition) rarely land on a multiple of
 * R$ 1,000; values that were set rather than priced (estimates copied into contracts, negotiated lump sums,
 * amounts made to fit a budget) often do. If amounts were whole reais spread evenly, about 1 in `roundUnit`
 * would be round. Per agency, the share of values (at or above `roundMinValue`) that are multiples of
 * `roundUnit` is compared with the threshold.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl, formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface RoundValueParameters {
  roundUnit: number;
  roundMinValue: number;
  roundShareThreshold: number;
  roundMinCount: number;
}

/** Exact in cents, so 17600.00 is round and 17600.01 is not, whatever the binary representation. */
export function isRound(value: number, unit: number): boolean {
  return Math.round(value * 100) % Math.round(unit * 100) === 0;
}

export function detectRoundValues(
  records: readonly ProcurementRecord[],
  parameters: RoundValueParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const counted = records.filter((r) => r.value >= parameters.roundMinValue);
  const overall = counted.filter((r) => isRound(r.value, parameters.roundUnit)).length;
  for (const [agencyCode, own] of groupBy(counted, (r) => r.agency.code)) {
    const roundOnes = own.filter((r) => isRound(r.value, parameters.roundUnit));
    const share = roundOnes.length / own.length;
    if (roundOnes.length < parameters.roundMinCount || share < parameters.roundShareThreshold) continue;
    const agencyName = (own[0] as ProcurementRecord).agency.name;
    drafts.push({
      type: 'ROUND_VALUE_PREFERENCE',
      key: agencyCode,
      score: Math.min(
        7,
        3 + 4 * ((share - parameters.roundShareThreshold) / (1 - parameters.roundShareThreshold || 1)),
      ),
      title: `${formatPercent(share)} of ${agencyName}'s contracts of ${formatBrl(parameters.roundMinValue)} or more (${roundOnes.length} of ${own.length}) are multiples of ${formatBrl(parameters.roundUnit)}`,
      contractIds: sortIds(roundOnes.map((r) => r.id)),
      evidence: {
        statistic: `share of values >= ${parameters.roundMinValue} that are multiples of ${parameters.roundUnit}`,
        agency: { code: agencyCode, name: agencyName },
        counted: own.length,
        round: roundOnes.length,
        share: round(share, 4),
        threshold: parameters.roundShareThreshold,
        shareIfUnpreferred: round(1 / parameters.roundUnit, 6),
        roundValues: roundOnes
          .sort((a, b) => b.value - a.value || a.id.localeCompare(b.id))
          .map((r) => ({ id: r.id, value: r.value })),
      },
    });
  }
  return {
    drafts,
    stats: {
      counted: counted.length,
      round: overall,
      overallShare: counted.length ? round(overall / counted.length, 4) : 0,
    },
  };
}
