/**
 * Which dispensa limit applies to one record, and how sure that is.
 *
 * Shared by the compliance check (a dispensa above its limit) and the splitting detector (dispensas that
 * together pass the limit), so both read the legal basis, the law regime and the date the same way.
 */

import { type LegalBasisReading, readLegalBasis, type ValueLimitInciso } from './legal-basis.ts';
import {
  type ApplicableLimit,
  dispensaLimit,
  LEI_8666_REVOKED_FROM,
  LEI_14133_IN_FORCE_FROM,
} from './legal-limits.ts';
import type { LawRegime, ProcurementRecord } from './record.ts';

export type DispensaLimitAssessment =
  | { applies: false; reason: string }
  | {
      applies: true;
      regime: LawRegime;
      /** Where the regime came from: the record, its legal basis, or its date (AMBIGUOUS: 2021-2023). */
      regimeSource: 'RECORD' | 'LEGAL_BASIS' | 'DATE' | 'DATE_AMBIGUOUS';
      inciso: ValueLimitInciso;
      /** LEGAL_BASIS when the text names inciso I or II, DEFAULT when it was assumed. */
      incisoSource: 'LEGAL_BASIS' | 'DEFAULT';
      limit: ApplicableLimit;
      legalBasis: LegalBasisReading;
      /** Reasons a person should weigh before acting on a finding built on this limit. */
      caveats: string[];
    };

export interface DispensaLimitOptions {
  /** Inciso assumed when the legal basis does not name one. */
  defaultInciso: ValueLimitInciso;
  /** Assess dispensas whose legal basis does not name the ground (else they are skipped). */
  checkUnknownBasis: boolean;
  pandemicRegimeLimits: boolean;
}

/** The value limit a direct purchase (modality DISPENSA) had to respect, or why none applies. */
export function assessDispensaLimit(
  record: ProcurementRecord,
  options: DispensaLimitOptions,
): DispensaLimitAssessment {
  if (record.modality !== 'DISPENSA') return { applies: false, reason: 'not a dispensa' };
  const reading = readLegalBasis(record.legalBasis);
  if (reading.ground === 'OTHER_GROUND') {
    return { applies: false, reason: `ground without a value limit: ${record.legalBasis ?? ''}`.trim() };
  }
  if (reading.ground === 'UNKNOWN' && !options.checkUnknownBasis) {
    return { applies: false, reason: 'legal basis does not name the ground' };
  }
  const caveats: string[] = [];
  const day = record.date.slice(0, 10);
  let regime: LawRegime;
  let regimeSource: 'RECORD' | 'LEGAL_BASIS' | 'DATE' | 'DATE_AMBIGUOUS';
  if (record.lawRegime) {
    regime = record.lawRegime;
    regimeSource = 'RECORD';
  } else if (reading.law === 'LEI_8666' || reading.law === 'LEI_14133') {
    regime = reading.law;
    regimeSource = 'LEGAL_BASIS';
  } else if (day < LEI_14133_IN_FORCE_FROM) {
    regime = 'LEI_8666';
    regimeSource = 'DATE';
  } else if (day >= LEI_8666_REVOKED_FROM) {
    regime = 'LEI_14133';
    regimeSource = 'DATE';
  } else {
    // Between April 2021 and December 2023 either law could be used; take the one with the higher limit
    // so that a finding never rests on the stricter reading.
    regime = 'LEI_14133';
    regimeSource = 'DATE_AMBIGUOUS';
    caveats.push(
      'law regime unknown and both laws were in use on that date: the more permissive Lei 14.133 limit was applied',
    );
  }
  const named = reading.ground === 'VALUE_LIMITED';
  const inciso: ValueLimitInciso = named ? (reading.inciso === 'I' ? 'I' : 'II') : options.defaultInciso;
  if (!named) {
    caveats.push(
      record.legalBasis
        ? `legal basis "${record.legalBasis}" does not name the ground: inciso ${inciso} was assumed`
        : `no legal basis recorded: inciso ${inciso} was assumed; dispensas on grounds without a value limit (emergency, utilities, ...) would not be irregular`,
    );
  }
  const limit = dispensaLimit(regime, inciso, day, options.pandemicRegimeLimits);
  if (!limit) return { applies: false, reason: `no limit known for ${regime} on ${day}` };
  if (limit.period.caveat) caveats.push(limit.period.caveat);
  if (limit.beyondTable) {
    caveats.push(
      `no verified limit for ${day.slice(0, 4)}: the latest known limit (${limit.period.source}) was used`,
    );
  }
  return {
    applies: true,
    regime,
    regimeSource,
    inciso,
    incisoSource: named ? 'LEGAL_BASIS' : 'DEFAULT',
    limit,
    legalBasis: reading,
    caveats,
  };
}
