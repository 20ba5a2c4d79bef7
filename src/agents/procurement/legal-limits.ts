/**
 * Value limits of dispensa de licitação, in ONE table with the act that set each figure.
 *
 * Lei 14.133/2021 art. 75: inciso I (engineering works and services, vehicle maintenance) and II (other
 * goods and services); a purchase qualifies when its value is *below* ("inferiores a") the limit, which
 * the federal executive updates every 1 January (art. 182) by decree. Lei 8.666/1993 art. 24: inciso I and
 * II, 10 % of the convite limits of art. 23; a purchase qualifies up to ("até") the limit. In 2020 MP
 * 961/2020, converted into Lei 14.065/2020, authorised higher 8.666 limits while the COVID-19 state of
 * public calamity lasted (to 31 Dec 2020).
 *
 * Verification: every row says how its figures were checked. Where a year has no row (after the last
 * one), the latest known limit is used and the finding carries a caveat.
 */

import type { LawRegime } from './record.ts';

export interface LimitPeriod {
  regime: LawRegime;
  /** First day the limits apply (ISO date). */
  from: string;
  /** Last day they apply, or null when still in force (as far as this table knows). */
  to: string | null;
  /** Inciso I: engineering works and services (and, under 14.133, vehicle maintenance). */
  engineering: number;
  /** Inciso II: other goods and services. */
  other: number;
  /** The act that set the figures. */
  source: string;
  /** How the figures in this row were checked. */
  verification: string;
  /** A temporary regime that overrides the ordinary row for its period (e.g. the 2020 pandemic regime). */
  temporary?: boolean;
  /** Set when the figures could not be fully verified; repeated in every finding that uses the row. */
  caveat?: string;
}

/** Dates (inclusive) when each law's dispensa regime starts. */
export const LEI_14133_IN_FORCE_FROM = '2021-04-01';
/** Lei 8.666/1993 was revoked on 30 Dec 2023 (Lei 14.133 art. 193, as amended by LC 198/2023). */
export const LEI_8666_REVOKED_FROM = '2023-12-30';

export const DISPENSA_LIMITS: readonly LimitPeriod[] = [
  {
    regime: 'LEI_8666',
    from: '1998-05-28',
    to: '2018-07-18',
    engineering: 15_000,
    other: 8_000,
    source: 'Lei 8.666/1993 art. 24 I/II (10 % of the art. 23 convite limits as worded by Lei 9.648/1998)',
    verification: 'Figures confirmed by several secondary sources comparing them with Decreto 9.412/2018',
  },
  {
    regime: 'LEI_8666',
    from: '2018-07-19',
    to: null,
    engineering: 33_000,
    other: 17_600,
    source:
      'Decreto 9.412/2018 (in force 19 Jul 2018), updating art. 23 and so art. 24 I/II of Lei 8.666/1993',
    verification: 'Decree figures and in-force date confirmed by secondary sources quoting the decree',
  },
  {
    regime: 'LEI_8666',
    from: '2020-05-07',
    to: '2020-12-31',
    engineering: 100_000,
    other: 50_000,
    source:
      'MP 961/2020 art. 1 I (DOU 7 May 2020), converted into Lei 14.065/2020: higher art. 24 I/II limits during the COVID-19 state of public calamity (Decreto Legislativo 6/2020, to 31 Dec 2020)',
    verification: 'Figures and period confirmed by secondary sources on MP 961/2020 and Lei 14.065/2020',
    temporary: true,
  },
  {
    regime: 'LEI_14133',
    from: '2021-04-01',
    to: '2021-12-31',
    engineering: 100_000,
    other: 50_000,
    source: 'Lei 14.133/2021 art. 75 I/II, original text',
    verification: 'Original figures quoted by secondary sources and by the text of Decreto 10.922/2021',
  },
  {
    regime: 'LEI_14133',
    from: '2022-01-01',
    to: '2022-12-31',
    engineering: 108_040.82,
    other: 54_020.41,
    source: 'Decreto 10.922/2021 (in force 1 Jan 2022)',
    verification: 'Checked against the decree text (annex) as reproduced from the DOU of 31 Dec 2021',
  },
  {
    regime: 'LEI_14133',
    from: '2023-01-01',
    to: '2023-12-31',
    engineering: 114_416.65,
    other: 57_208.33,
    source: 'Decreto 11.317/2022 (in force 1 Jan 2023)',
    verification:
      'Inciso II confirmed by a secondary source; inciso I not found in the sources available here (figure as published in the decree annex, to be re-checked)',
    caveat: 'the 2023 inciso I figure (Decreto 11.317/2022) was not independently verified',
  },
  {
    regime: 'LEI_14133',
    from: '2024-01-01',
    to: '2024-12-31',
    engineering: 119_812.02,
    other: 59_906.02,
    source: 'Decreto 11.871/2023 (in force 1 Jan 2024)',
    verification:
      'Not found in the sources available here; figures as published in the decree annex, to be re-checked',
    caveat: 'the 2024 figures (Decreto 11.871/2023) were not independently verified',
  },
  {
    regime: 'LEI_14133',
    from: '2025-01-01',
    to: '2025-12-31',
    engineering: 125_451.15,
    other: 62_725.59,
    source: 'Decreto 12.343/2024 (in force 1 Jan 2025)',
    verification: 'Checked against the decree text (annex) as reproduced from the DOU of 31 Dec 2024',
  },
  {
    regime: 'LEI_14133',
    from: '2026-01-01',
    to: '2026-12-31',
    engineering: 130_984.2,
    other: 65_492.11,
    source: 'Decreto 12.807/2025 (in force 1 Jan 2026)',
    verification: 'Secondary sources only (several agree); the decree text itself was not checked',
    caveat: 'the 2026 figures (Decreto 12.807/2025) come from secondary sources only',
  },
];

export interface ApplicableLimit {
  period: LimitPeriod;
  /** The limit of the requested inciso. */
  limit: number;
  /** True when the date is after the table's last period for the regime: the latest limit was used. */
  beyondTable: boolean;
  /** Under 14.133 a value must be below the limit; under 8.666 up to it. */
  exceeds(value: number): boolean;
}

/**
 * The limit in force on `date` (ISO) for a regime and inciso, or null when the date precedes the table.
 *
 * @param pandemicRegime - apply the 2020 temporary limits of MP 961/2020 to 8.666 purchases in their
 *   period; default true (the limits were an authorisation any federal body could use).
 */
export function dispensaLimit(
  regime: LawRegime,
  inciso: 'I' | 'II',
  date: string,
  pandemicRegime = true,
): ApplicableLimit | null {
  const day = date.slice(0, 10);
  const rows = DISPENSA_LIMITS.filter((p) => p.regime === regime && (pandemicRegime || !p.temporary));
  const inForce = rows.filter((p) => p.from <= day && (p.to === null || day <= p.to));
  // A temporary regime overrides the ordinary row of its period.
  let period = inForce.find((p) => p.temporary) ?? inForce[0];
  let beyondTable = false;
  if (!period) {
    const ordinary = rows.filter((p) => !p.temporary).sort((a, b) => a.from.localeCompare(b.from));
    const latest = ordinary[ordinary.length - 1];
    if (!latest || day < (ordinary[0]?.from ?? day)) return null;
    period = latest;
    beyondTable = true;
  }
  const chosen = period;
  const limit = inciso === 'I' ? chosen.engineering : chosen.other;
  return {
    period: chosen,
    limit,
    beyondTable,
    exceeds: (value) => (regime === 'LEI_14133' ? value >= limit : value > limit),
  };
}
