/**
 * MULTI_AGENCY_SUPPLIER: suppliers with contracts in many agencies.
 *
 * National firms and utilities serve everyone, so this is a lead, never proof: what makes it worth a look
 * is a supplier winning mostly by direct purchase (no competition) across many buyers. A shared purchase
 * (a price-registration pregão the rectorate runs for every campus, each campus then signing its own
 * contract) reaches many agencies through one competition, so a supplier must also have at least as many
 * distinct purchases as `minAgencies`. The score is low by design and rises with the number of agencies
 * and the share of direct purchases.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { DIRECT_PURCHASE_MODALITIES } from '../procurement/modality.ts';
import { formatBrl, formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface MultiAgencyParameters {
  minAgencies: number;
}

export function detectMultiAgencySuppliers(
  records: readonly ProcurementRecord[],
  parameters: MultiAgencyParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const suppliers = groupBy(records, (r) => r.supplier.id);
  for (const [, contracts] of suppliers) {
    const agencies = groupBy(contracts, (r) => r.agency.code);
    if (agencies.length < parameters.minAgencies) continue;
    const purchases = new Set(contracts.map((r) => r.purchaseId ?? `contract:${r.id}`)).size;
    if (purchases < parameters.minAgencies) continue;
    const direct = contracts.filter((r) => DIRECT_PURCHASE_MODALITIES.has(r.modality));
    const directShare = direct.length / contracts.length;
    const total = sum(contracts.map((r) => r.value));
    const supplier = displaySupplier((contracts[0] as ProcurementRecord).supplier);
    drafts.push({
      type: 'MULTI_AGENCY_SUPPLIER',
      key: supplier.id,
      score: Math.min(6, 2 + 0.5 * (agencies.length - parameters.minAgencies) + 3 * directShare),
      title: `${supplier.name} has ${contracts.length} contracts with ${agencies.length} agencies (${formatBrl(total)}; ${formatPercent(directShare)} by direct purchase)`,
      contractIds: sortIds(contracts.map((r) => r.id)),
      evidence: {
        statistic: 'distinct agencies with contracts from the supplier',
        supplier,
        agencies: agencies.map(([code, own]) => ({
          code,
          name: (own[0] as ProcurementRecord).agency.name,
          contracts: own.length,
          value: round(sum(own.map((r) => r.value))),
        })),
        agencyCount: agencies.length,
        threshold: parameters.minAgencies,
        contracts: contracts.length,
        distinctPurchases: purchases,
        totalValue: round(total),
        directPurchases: direct.length,
        directShare: round(directShare, 4),
      },
    });
  }
  return { drafts, stats: { suppliers: suppliers.length } };
}
