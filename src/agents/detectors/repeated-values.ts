/**
 * REPEATED_VALUE: the same amount, to the cent, in several different purchases.
 *
 * Contracts of one purchase often share a value (one price, several signatories), so repeats are counted
 * in distinct purchases. An amount reused across purchases (and more so across suppliers) suggests a
 * copied estimate or a price agreed outside the competition; fixed tariffs and subscriptions repeat
 * legitimately, which is why small values are left out and the score stays moderate.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface RepeatedValueParameters {
  repeatedMinOccurrences: number;
  repeatedMinValue: number;
}

export function detectRepeatedValues(
  records: readonly ProcurementRecord[],
  parameters: RepeatedValueParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const candidates = records.filter((r) => r.value >= parameters.repeatedMinValue);
  const byCents = groupBy(candidates, (r) => String(Math.round(r.value * 100)).padStart(15, '0'));
  for (const [, same] of byCents) {
    const purchases = new Set(same.map((r) => r.purchaseId ?? `contract:${r.id}`));
    if (purchases.size < parameters.repeatedMinOccurrences) continue;
    const suppliers = new Set(same.map((r) => r.supplier.id));
    const agencies = new Set(same.map((r) => r.agency.code));
    const value = (same[0] as ProcurementRecord).value;
    drafts.push({
      type: 'REPEATED_VALUE',
      key: value.toFixed(2),
      score: Math.min(
        6,
        2 + 0.5 * (purchases.size - parameters.repeatedMinOccurrences) + (suppliers.size > 1 ? 1.5 : 0),
      ),
      title: `${formatBrl(value)} appears in ${purchases.size} different purchases (${same.length} contracts, ${suppliers.size} supplier(s), ${agencies.size} agency(ies))`,
      contractIds: sortIds(same.map((r) => r.id)),
      evidence: {
        statistic: 'distinct purchases sharing an identical contract value (to the cent)',
        value,
        distinctPurchases: purchases.size,
        threshold: parameters.repeatedMinOccurrences,
        contracts: [...same]
          .sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id))
          .map((r) => ({
            id: r.id,
            date: r.date.slice(0, 10),
            purchaseId: r.purchaseId ?? null,
            agency: r.agency.code,
            supplier: displaySupplier(r.supplier).name,
            modality: r.modality,
          })),
        distinctSuppliers: suppliers.size,
        distinctAgencies: agencies.size,
      },
    });
  }
  return { drafts, stats: { valuesTested: candidates.length } };
}
