/**
 * YEAR_END_SPIKE: agencies that concentrate a year's contracting in December.
 *
 * The federal budget year ends on 31 December and unspent appropriations lapse, so a rush to commit them
 * is a known risk pattern (rushed specifications, weak price research). For each agency and calendar
 * year, the share of contracts dated in December is compared with the threshold (an even spread over the
 * year would give 1/12 = 8.3 %). The share of value is reported too but does not decide: one large
 * December contract moves it without any rush.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl, formatPercent } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface YearEndParameters {
  yearEndShareThreshold: number;
  minYearContracts: number;
}

export function detectYearEndSpikes(
  records: readonly ProcurementRecord[],
  parameters: YearEndParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  let yearsAssessed = 0;
  for (const [key, contracts] of groupBy(records, (r) => `${r.agency.code}\u0000${r.date.slice(0, 4)}`)) {
    if (contracts.length < parameters.minYearContracts) continue;
    yearsAssessed++;
    const [agencyCode, year] = key.split('\u0000') as [string, string];
    const december = contracts.filter((r) => r.date.slice(5, 7) === '12');
    const total = sum(contracts.map((r) => r.value));
    const decemberTotal = sum(december.map((r) => r.value));
    const countShare = december.length / contracts.length;
    const valueShare = total > 0 ? decemberTotal / total : 0;
    const share = countShare;
    if (share < parameters.yearEndShareThreshold) continue;
    const agencyName = (contracts[0] as ProcurementRecord).agency.name;
    drafts.push({
      type: 'YEAR_END_SPIKE',
      key: `${agencyCode}:${year}`,
      score: Math.min(
        8,
        3 + 5 * ((share - parameters.yearEndShareThreshold) / (1 - parameters.yearEndShareThreshold || 1)),
      ),
      title: `${agencyName} dated ${formatPercent(countShare)} of its ${year} contracts (${formatPercent(valueShare)} of the value, ${formatBrl(decemberTotal)}) in December`,
      contractIds: sortIds(december.map((r) => r.id)),
      evidence: {
        statistic:
          "share of the agency-year's contracts dated in December (even spread: 1/12); value share for context",
        agency: { code: agencyCode, name: agencyName },
        year: Number(year),
        yearContracts: contracts.length,
        decemberContracts: december.length,
        countShare: round(countShare, 4),
        yearValue: round(total),
        decemberValue: round(decemberTotal),
        valueShare: round(valueShare, 4),
        threshold: parameters.yearEndShareThreshold,
        evenShare: round(1 / 12, 4),
      },
    });
  }
  return { drafts, stats: { agencyYearsAssessed: yearsAssessed } };
}
