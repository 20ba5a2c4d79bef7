/**
 * SUPPLIER_CONCENTRATION: one supplier taking most of an agency's contracted value in a year.
 *
 * Agencies plan and budget per year, and over a decade any agency's suppliers dilute one another (in the
 * IFMS data no supplier holds more than 20 % of any campus's all-time value), so the share is computed per
 * agency and calendar year of the contract date (`concentrationPeriod: "ALL"` for the whole span). A high
 * share can be legitimate (one large works contract), so the evidence lists the supplier's contracts and
 * the runner-up's share for a person to judge.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl, formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface SupplierConcentrationParameters {
  concentrationThreshold: number;
  minAgencyContracts: number;
  concentrationPeriod: 'YEAR' | 'ALL';
}

export function detectSupplierConcentration(
  records: readonly ProcurementRecord[],
  parameters: SupplierConcentrationParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  let periodsAssessed = 0;
  const periodOf = (r: ProcurementRecord) =>
    parameters.concentrationPeriod === 'YEAR' ? r.date.slice(0, 4) : 'all';
  for (const [key, contracts] of groupBy(records, (r) => `${r.agency.code}\u0000${periodOf(r)}`)) {
    if (contracts.length < parameters.minAgencyContracts) continue;
    const total = sum(contracts.map((r) => r.value));
    if (total <= 0) continue;
    periodsAssessed++;
    const [agencyCode, period] = key.split('\u0000') as [string, string];
    const bySupplier = groupBy(contracts, (r) => r.supplier.id)
      .map(([supplierId, own]) => ({ supplierId, own, value: sum(own.map((r) => r.value)) }))
      .sort((a, b) => b.value - a.value || a.supplierId.localeCompare(b.supplierId));
    const top = bySupplier[0];
    if (!top) continue;
    const share = top.value / total;
    if (share < parameters.concentrationThreshold) continue;
    const first = top.own[0] as ProcurementRecord;
    const supplier = displaySupplier(first.supplier);
    const runnerUp = bySupplier[1];
    const span = period === 'all' ? '' : ` in ${period}`;
    drafts.push({
      type: 'SUPPLIER_CONCENTRATION',
      key: `${agencyCode}:${period}:${supplier.id}`,
      score:
        4 + (6 * (share - parameters.concentrationThreshold)) / (1 - parameters.concentrationThreshold || 1),
      title: `${supplier.name} holds ${formatPercent(share)} of ${first.agency.name}'s contracted value${span} (${formatBrl(top.value)} of ${formatBrl(total)})`,
      contractIds: sortIds(top.own.map((r) => r.id)),
      evidence: {
        statistic: "supplier's contracted value / agency's contracted value in the period",
        agency: { code: agencyCode, name: first.agency.name },
        period,
        supplier,
        supplierValue: round(top.value),
        agencyTotalValue: round(total),
        share: round(share, 4),
        threshold: parameters.concentrationThreshold,
        supplierContracts: top.own.length,
        agencyContracts: contracts.length,
        agencySuppliers: bySupplier.length,
        runnerUpShare: runnerUp ? round(runnerUp.value / total, 4) : 0,
      },
    });
  }
  return { drafts, stats: { periodsAssessed } };
}
