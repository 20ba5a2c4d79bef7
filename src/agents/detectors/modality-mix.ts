/**
 * MODALITY_MIX: agencies buying mostly without competition.
 *
 * Dispensa and inexigibilidade are exceptions to the duty to tender; an agency whose contracted value goes
 * mostly through them deserves a look at its justifications. The full mix (count and value per modality)
 * is also returned as a pattern, overall and per agency.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { DIRECT_PURCHASE_MODALITIES } from '../procurement/modality.ts';
import { formatBrl, formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface ModalityMixParameters {
  nonCompetitiveShareThreshold: number;
  minAgencyContracts: number;
}

/** Count and value per modality, largest value first. */
export function modalityMix(records: readonly ProcurementRecord[]): JsonObject[] {
  const total = sum(records.map((r) => r.value));
  return groupBy(records, (r) => r.modality)
    .map(([modality, own]) => {
      const value = sum(own.map((r) => r.value));
      return {
        modality,
        contracts: own.length,
        value: round(value),
        valueShare: total > 0 ? round(value / total, 4) : 0,
      };
    })
    .sort((a, b) => b.value - a.value || a.modality.localeCompare(b.modality));
}

export function detectModalityMix(
  records: readonly ProcurementRecord[],
  parameters: ModalityMixParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const byAgency: JsonObject = {};
  for (const [agencyCode, own] of groupBy(records, (r) => r.agency.code)) {
    byAgency[agencyCode] = modalityMix(own);
    if (own.length < parameters.minAgencyContracts) continue;
    const total = sum(own.map((r) => r.value));
    if (total <= 0) continue;
    const direct = own.filter((r) => DIRECT_PURCHASE_MODALITIES.has(r.modality));
    const directValue = sum(direct.map((r) => r.value));
    const share = directValue / total;
    if (share < parameters.nonCompetitiveShareThreshold) continue;
    const agencyName = (own[0] as ProcurementRecord).agency.name;
    drafts.push({
      type: 'MODALITY_MIX',
      key: agencyCode,
      score: Math.min(
        7,
        3 +
          4 *
            ((share - parameters.nonCompetitiveShareThreshold) /
              (1 - parameters.nonCompetitiveShareThreshold || 1)),
      ),
      title: `${formatPercent(share)} of ${agencyName}'s contracted value (${formatBrl(directValue)}) was awarded without competition`,
      contractIds: sortIds(direct.map((r) => r.id)),
      evidence: {
        statistic: 'value of dispensa + inexigibilidade contracts / all contracted value of the agency',
        agency: { code: agencyCode, name: agencyName },
        directContracts: direct.length,
        contracts: own.length,
        directValue: round(directValue),
        totalValue: round(total),
        share: round(share, 4),
        threshold: parameters.nonCompetitiveShareThreshold,
        mix: modalityMix(own),
      },
    });
  }
  return { drafts, stats: { byAgency } };
}
