/**
 * THRESHOLD_EXCEEDED: a dispensa whose value is above the legal limit in force on its date.
 *
 * Each DISPENSA record is placed against its limit (see `dispensa-limit.ts`: ground and inciso from the
 * legal basis, law regime from the record, the legal basis or the date, limit from the one table in
 * `legal-limits.ts`). Grounds without a value limit (emergency, utilities, support foundations, family
 * farming...) are counted and skipped. The score grows with log2(value / limit) and is lowered when the
 * ground or the regime had to be assumed, which each finding states in `caveats`; a finding resting on an
 * assumed ground is never HIGH (a utility bill without a recorded basis is most likely art. 24 XXII,
 * which has no limit at all).
 *
 * In 2020 (7 May - 31 Dec) MP 961/2020 raised the Lei 8.666 limits to R$ 100,000 / 50,000. A dispensa
 * above the ordinary limit but within the temporary one is reported as a LOW finding when its legal basis
 * does not cite MP 961/2020 or Lei 14.065/2020: probably lawful, but the file should show the higher
 * limit was actually invoked.
 */

/** Score of a dispensa only the 2020 temporary limit covers: a lead to confirm, not an irregularity. */
const TEMPORARY_LIMIT_ONLY_SCORE = 2.5;

/** Highest score of a finding whose inciso had to be assumed: MEDIUM at most. */
const ASSUMED_GROUND_MAX_SCORE = 6.5;

import type { JsonObject } from '../../engine/json.ts';
import { assessDispensaLimit, type DispensaLimitOptions } from '../procurement/dispensa-limit.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { dispensaLimit } from '../procurement/legal-limits.ts';
import { formatBrl } from '../procurement/money.ts';
import type { ProcurementRecord } from '../procurement/record.ts';
import { round } from '../procurement/statistics.ts';
import { sortIds } from './group-by.ts';

export function detectThresholdExceeded(
  records: readonly ProcurementRecord[],
  options: DispensaLimitOptions,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  let dispensas = 0;
  let checked = 0;
  const skipped: Record<string, string[]> = {};
  for (const record of records) {
    if (record.modality !== 'DISPENSA') continue;
    dispensas++;
    const assessment = assessDispensaLimit(record, options);
    if (!assessment.applies) {
      const reason = assessment.reason.startsWith('ground without')
        ? 'ground without a value limit'
        : assessment.reason;
      const list = skipped[reason] ?? [];
      list.push(record.id);
      skipped[reason] = list;
      continue;
    }
    checked++;
    const { limit } = assessment;
    if (!limit.exceeds(record.value)) {
      const lead = temporaryLimitOnly(record, assessment);
      if (lead) drafts.push(lead);
      continue;
    }
    const ratio = record.value / limit.limit;
    const assumedGround = assessment.incisoSource === 'DEFAULT';
    const confidence = (assumedGround ? 0.75 : 1) * (assessment.regimeSource === 'DATE_AMBIGUOUS' ? 0.9 : 1);
    const strength = (5 + 5 * Math.log2(ratio)) * confidence;
    const article = assessment.regime === 'LEI_14133' ? 'Lei 14.133/2021 art. 75' : 'Lei 8.666/1993 art. 24';
    drafts.push({
      type: 'THRESHOLD_EXCEEDED',
      key: record.id,
      score: assumedGround ? Math.min(ASSUMED_GROUND_MAX_SCORE, strength) : strength,
      title: `Dispensa ${record.id} (${formatBrl(record.value)}, ${record.date.slice(0, 10)}) exceeds the ${formatBrl(limit.limit)} limit of ${article} ${assessment.inciso}`,
      contractIds: [record.id],
      evidence: {
        statistic: 'contract value vs. the dispensa limit in force on the contract date',
        value: record.value,
        date: record.date.slice(0, 10),
        limit: limit.limit,
        excess: round(record.value - limit.limit),
        ratio: round(ratio, 4),
        comparison:
          assessment.regime === 'LEI_14133'
            ? 'value must be below the limit'
            : 'value must not exceed the limit',
        regime: assessment.regime,
        regimeSource: assessment.regimeSource,
        inciso: assessment.inciso,
        incisoSource: assessment.incisoSource,
        legalBasis: record.legalBasis ?? null,
        limitSource: limit.period.source,
        limitPeriod: { from: limit.period.from, to: limit.period.to },
        limitVerification: limit.period.verification,
        referenceValue: record.referenceValue ?? null,
        purchaseId: record.purchaseId ?? null,
        agency: { code: record.agency.code, name: record.agency.name },
        supplier: displaySupplier(record.supplier),
        caveats: assessment.caveats,
      },
    });
  }
  const skippedJson: JsonObject = {};
  for (const reason of Object.keys(skipped).sort()) skippedJson[reason] = sortIds(skipped[reason] ?? []);
  return { drafts, stats: { dispensas, checked, skipped: skippedJson } };
}

/** The LOW finding for a 2020 dispensa that only the temporary pandemic limit covers, or null. */
function temporaryLimitOnly(
  record: ProcurementRecord,
  assessment: Extract<ReturnType<typeof assessDispensaLimit>, { applies: true }>,
): FindingDraft | null {
  if (!assessment.limit.period.temporary || assessment.legalBasis.citesPandemicRegime) return null;
  const ordinary = dispensaLimit(assessment.regime, assessment.inciso, record.date, false);
  if (!ordinary?.exceeds(record.value)) return null;
  return {
    type: 'THRESHOLD_EXCEEDED',
    key: record.id,
    score: TEMPORARY_LIMIT_ONLY_SCORE,
    title: `Dispensa ${record.id} (${formatBrl(record.value)}, ${record.date.slice(0, 10)}) exceeds the ordinary ${formatBrl(ordinary.limit)} limit of Lei 8.666/1993 art. 24 ${assessment.inciso}; only the 2020 pandemic limit (${formatBrl(assessment.limit.limit)}) covers it, and its legal basis does not cite it`,
    contractIds: [record.id],
    evidence: {
      statistic: 'contract value vs. the ordinary and the temporary dispensa limits on the contract date',
      value: record.value,
      date: record.date.slice(0, 10),
      limit: ordinary.limit,
      ordinaryLimitSource: ordinary.period.source,
      temporaryLimit: assessment.limit.limit,
      temporaryLimitSource: assessment.limit.period.source,
      ratio: round(record.value / ordinary.limit, 4),
      regime: assessment.regime,
      regimeSource: assessment.regimeSource,
      inciso: assessment.inciso,
      legalBasis: record.legalBasis ?? null,
      purchaseId: record.purchaseId ?? null,
      agency: { code: record.agency.code, name: record.agency.name },
      supplier: displaySupplier(record.supplier),
      caveats: [
        'within the temporary limit of MP 961/2020 (Lei 14.065/2020), which any body could use in that period; check that the purchase file invokes it',
        ...assessment.caveats,
      ],
    },
  };
}
