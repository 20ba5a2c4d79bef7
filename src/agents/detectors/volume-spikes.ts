/**
 * VOLUME_SPIKE: months in which an agency contracted far more than in its typical month.
 *
 * Volume is measured two ways per agency and calendar month of the contract date: the number of contracts
 * and their total value. Months without contracts are left out (they say the agency was quiet, not how
 * large its months are). A month spikes on a measure when its modified z-score against the agency's
 * other months exceeds the threshold AND it is at least `spikeMinRatio` times the median month, so a
 * spread-out agency is not flagged for a merely busy month. Values are compared on a log scale (monthly
 * totals span orders of magnitude). Counts are variance-stabilised with the Anscombe transform
 * 2*sqrt(c + 3/8), under which Poisson-like counts have roughly constant spread, so 7 contracts in a month
 * of a campus that usually signs 1 is not judged like 70; when more than half the months share one count
 * (MAD 0), the MAD is floored at the transformed step from the median count to one more contract.
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import { type ProcurementRecord, recordMonth } from '../procurement/record.ts';
import { median, medianAbsoluteDeviation, modifiedZ, round, sum } from '../procurement/statistics.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface VolumeSpikeParameters {
  spikeZThreshold: number;
  spikeMinRatio: number;
  minActiveMonths: number;
}

/** Anscombe's variance-stabilising transform for Poisson counts. */
function anscombe(count: number): number {
  return 2 * Math.sqrt(count + 3 / 8);
}

interface Month {
  month: string;
  own: ProcurementRecord[];
  count: number;
  total: number;
}

export function detectVolumeSpikes(
  records: readonly ProcurementRecord[],
  parameters: VolumeSpikeParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  let agenciesAssessed = 0;
  for (const [agencyCode, contracts] of groupBy(records, (r) => r.agency.code)) {
    const months: Month[] = groupBy(contracts, recordMonth).map(([month, own]) => ({
      month,
      own,
      count: own.length,
      total: sum(own.map((r) => r.value)),
    }));
    if (months.length < parameters.minActiveMonths) continue;
    agenciesAssessed++;
    const counts = months.map((m) => m.count);
    const countMedian = median(counts);
    const stabilised = counts.map(anscombe);
    const stabilisedMedian = median(stabilised);
    const countMad = Math.max(
      medianAbsoluteDeviation(stabilised, stabilisedMedian),
      anscombe(countMedian + 1) - anscombe(countMedian),
    );
    const valued = months.filter((m) => m.total > 0);
    const logs = valued.map((m) => Math.log(m.total));
    const logMedian = median(logs);
    const logMad = medianAbsoluteDeviation(logs, logMedian);
    const valueMedian = Math.exp(logMedian);
    const agencyName = (contracts[0] as ProcurementRecord).agency.name;
    for (const month of months) {
      const countZ = modifiedZ(anscombe(month.count), stabilisedMedian, countMad);
      const countRatio = month.count / countMedian;
      const valueZ = month.total > 0 && logMad > 0 ? modifiedZ(Math.log(month.total), logMedian, logMad) : 0;
      const valueRatio = month.total / valueMedian;
      const countSpike = countZ > parameters.spikeZThreshold && countRatio >= parameters.spikeMinRatio;
      const valueSpike = valueZ > parameters.spikeZThreshold && valueRatio >= parameters.spikeMinRatio;
      if (!countSpike && !valueSpike) continue;
      const z = Math.max(countSpike ? countZ : 0, valueSpike ? valueZ : 0);
      const largest = [...month.own].sort((a, b) => b.value - a.value || a.id.localeCompare(b.id));
      const what = [
        countSpike ? `${month.count} contracts (${round(countRatio, 1)}x its median month)` : '',
        valueSpike ? `${formatBrl(month.total)} (${round(valueRatio, 1)}x its median month)` : '',
      ].filter(Boolean);
      drafts.push({
        type: 'VOLUME_SPIKE',
        key: `${agencyCode}:${month.month}`,
        // Capped: a burst of activity is a lead to look at, not in itself an irregularity.
        score: Math.min(7, 3 + Math.log2(z / parameters.spikeZThreshold) * 2),
        title: `${agencyName} signed ${what.join(' worth ')} in ${month.month}`.replace(
          ' worth R$',
          ', worth R$',
        ),
        contractIds: sortIds(month.own.map((r) => r.id)),
        evidence: {
          statistic:
            "modified z-score 0.6745*(x - median)/MAD among the agency's months with contracts; x = 2*sqrt(count + 3/8) (Anscombe), and ln(total value)",
          agency: { code: agencyCode, name: agencyName },
          month: month.month,
          measures: [...(countSpike ? ['COUNT'] : []), ...(valueSpike ? ['VALUE'] : [])],
          contracts: month.count,
          medianContractsPerMonth: countMedian,
          madAnscombeCount: round(countMad, 4),
          countZ: round(countZ, 2),
          total: round(month.total),
          medianMonthTotal: round(valueMedian),
          madLnMonthTotal: round(logMad, 4),
          valueZ: round(valueZ, 2),
          threshold: parameters.spikeZThreshold,
          minRatio: parameters.spikeMinRatio,
          activeMonths: months.length,
          largestContracts: largest
            .slice(0, 5)
            .map((r) => ({ id: r.id, value: r.value, supplier: displaySupplier(r.supplier).name })),
        },
      });
    }
  }
  return { drafts, stats: { agenciesAssessed } };
}
