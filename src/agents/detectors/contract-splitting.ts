/**
 * CONTRACT_SPLITTING: direct purchases from one supplier by one agency that each stay under the dispensa
 * limit but together, within a short window, pass it (fracionamento de despesa).
 *
 * Only dispensas whose ground has a value limit (art. 75 I/II of Lei 14.133, art. 24 I/II of Lei 8.666) or
 * whose ground is unknown take part, with each record's own limit from the legal limits table. Records are
 * sorted by date per agency and supplier; from each record the window extends `splittingWindowDays`; a
 * window is reported when it holds at least `splittingMinPurchases` distinct purchases and its total passes
 * the highest limit among its records (the reading least likely to accuse wrongly). Windows do not
 * overlap: after a finding the scan resumes past its last record.
 */

import type { JsonObject } from '../../engine/json.ts';
import { assessDispensaLimit } from '../procurement/dispensa-limit.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import { type ProcurementRecord, recordDay } from '../procurement/record.ts';
import { round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface ContractSplittingParameters {
  splittingWindowDays: number;
  splittingMinPurchases: number;
  pandemicRegimeLimits: boolean;
}

interface Candidate {
  record: ProcurementRecord;
  day: number;
  limit: number;
  limitSource: string;
  caveats: string[];
}

export function detectContractSplitting(
  records: readonly ProcurementRecord[],
  parameters: ContractSplittingParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const candidates: Candidate[] = [];
  for (const record of records) {
    if (record.value <= 0) continue;
    const assessment = assessDispensaLimit(record, {
      defaultInciso: 'II',
      checkUnknownBasis: true,
      pandemicRegimeLimits: parameters.pandemicRegimeLimits,
    });
    // A record over its own limit is a THRESHOLD_EXCEEDED matter, not part of a split.
    if (!assessment.applies || assessment.limit.exceeds(record.value)) continue;
    candidates.push({
      record,
      day: recordDay(record),
      limit: assessment.limit.limit,
      limitSource: `${assessment.regime === 'LEI_14133' ? 'Lei 14.133 art. 75' : 'Lei 8.666 art. 24'} ${assessment.inciso}: ${assessment.limit.period.source}`,
      caveats: assessment.caveats,
    });
  }
  const drafts: FindingDraft[] = [];
  const pairsOf = groupBy(candidates, (c) => `${c.record.agency.code}\u0000${c.record.supplier.id}`);
  for (const [, group] of pairsOf) {
    group.sort((a, b) => a.day - b.day || a.record.id.localeCompare(b.record.id));
    let start = 0;
    while (start < group.length) {
      let end = start;
      while (
        end + 1 < group.length &&
        (group[end + 1] as Candidate).day - (group[start] as Candidate).day <= parameters.splittingWindowDays
      ) {
        end++;
      }
      const window = group.slice(start, end + 1);
      const purchases = new Set(window.map((c) => c.record.purchaseId ?? `contract:${c.record.id}`));
      const total = sum(window.map((c) => c.record.value));
      const limit = Math.max(...window.map((c) => c.limit));
      if (purchases.size >= parameters.splittingMinPurchases && total > limit) {
        drafts.push(windowFinding(window, total, limit, purchases.size, parameters));
        start = end + 1;
      } else {
        start++;
      }
    }
  }
  return { drafts, stats: { directPurchasesConsidered: candidates.length } };
}

function windowFinding(
  window: Candidate[],
  total: number,
  limit: number,
  purchases: number,
  parameters: ContractSplittingParameters,
): FindingDraft {
  const first = window[0] as Candidate;
  const last = window[window.length - 1] as Candidate;
  const binding = window.find((c) => c.limit === limit) ?? first;
  const supplier = displaySupplier(first.record.supplier);
  const caveats = [...new Set(window.flatMap((c) => c.caveats))].sort();
  const ratio = total / limit;
  return {
    type: 'CONTRACT_SPLITTING',
    key: `${first.record.agency.code}:${supplier.id}:${first.record.date.slice(0, 10)}`,
    // Unknown legal bases lower the score: the purchases may rest on grounds without a value limit.
    score:
      (4 + 3 * Math.log2(ratio) + (purchases - 2) * 0.5) *
      (caveats.some((c) => c.includes('assumed')) ? 0.75 : 1),
    title: `${purchases} direct purchases from ${supplier.name} by ${first.record.agency.name} within ${last.day - first.day} days total ${formatBrl(total)}, above the ${formatBrl(limit)} dispensa limit`,
    contractIds: sortIds(window.map((c) => c.record.id)),
    evidence: {
      statistic:
        'sum of direct purchases from one supplier and agency within the window vs. the dispensa limit',
      agency: { code: first.record.agency.code, name: first.record.agency.name },
      supplier,
      window: {
        from: first.record.date.slice(0, 10),
        to: last.record.date.slice(0, 10),
        days: last.day - first.day,
      },
      windowDays: parameters.splittingWindowDays,
      contracts: window.map((c) => ({
        id: c.record.id,
        date: c.record.date.slice(0, 10),
        value: c.record.value,
        purchaseId: c.record.purchaseId ?? null,
        limit: c.limit,
      })),
      distinctPurchases: purchases,
      total: round(total),
      limit,
      limitSource: binding.limitSource,
      ratioToLimit: round(ratio, 3),
      caveats,
    },
  };
}
