/**
 * Reading the legal basis of a direct purchase ("Art. 24º, Inciso II da Lei nº 8.666 de 21/06/1993.",
 * "Lei 14.133/2021, Art. 75, II").
 *
 * Only two grounds of dispensa have a value limit: art. 75 I/II of Lei 14.133/2021 and art. 24 I/II of
 * Lei 8.666/1993 (inciso I for engineering works and services, II for other goods and services). Every
 * other ground (emergency, utilities, support foundations, family farming under Lei 11.947, ...) has none,
 * so a compliance check must know which ground a purchase used before comparing its value with a limit.
 */

import type { LawRegime } from './record.ts';

export type ValueLimitInciso = 'I' | 'II';

export interface LegalBasisReading {
  /** The law the text cites; `OTHER` for another law (e.g. 11.947/2009), null when none is recognisable. */
  law: LawRegime | 'OTHER' | null;
  article: number | null;
  /** Roman numeral of the inciso, when the text gives one. */
  inciso: string | null;
  /**
   * `VALUE_LIMITED`: art. 75 I/II (14.133) or art. 24 I/II (8.666). `OTHER_GROUND`: a ground without a
   * value limit. `UNKNOWN`: the text does not say (missing, or only the law).
   */
  ground: 'VALUE_LIMITED' | 'OTHER_GROUND' | 'UNKNOWN';
  /** Cites MP 961/2020 or Lei 14.065/2020, the pandemic regime that raised the 8.666 limits in 2020. */
  citesPandemicRegime: boolean;
}

const ARTICLE = /(?:\bart(?:igo)?\.?\s*|^\s*)(\d{1,3})\s*[º°o]?/gi;
const INCISO_AFTER_ARTICLE = /^\s*(?:,\s*)?(?:inciso\s+|inc\.\s*)?([IVXL]+)\b/i;
/** The article of each law whose incisos I and II are the value-limited dispensas. */
const VALUE_ARTICLE: Readonly<Record<LawRegime, number>> = { LEI_14133: 75, LEI_8666: 24 };

export function readLegalBasis(text: string | undefined): LegalBasisReading {
  if (!text || text.trim() === '') {
    return { law: null, article: null, inciso: null, ground: 'UNKNOWN', citesPandemicRegime: false };
  }
  const law = /14\.?133/.test(text)
    ? 'LEI_14133'
    : /8\.?666/.test(text)
      ? 'LEI_8666'
      : /\blei\b|\bdecreto\b|medida provis/i.test(text)
        ? 'OTHER'
        : null;
  const citesPandemicRegime = /961\s*\/\s*2020|14\.?065/.test(text);
  // Law numbers ("8.666", "14.133/2021") would read as articles; blank them first.
  const cleaned = text.replace(/\b\d{1,2}\.\d{3}(?:\/\d{2,4})?/g, ' ');
  const citations = [...cleaned.matchAll(ARTICLE)].map((m) => ({
    article: Number(m[1]),
    inciso:
      INCISO_AFTER_ARTICLE.exec(cleaned.slice((m.index ?? 0) + m[0].length))?.[1]?.toUpperCase() ?? null,
  }));
  // A text may cite several articles ("art. 37, XXI da Constituição e art. 24, II da Lei 8.666"): the
  // value article of the cited law decides when present.
  const valueArticle = law === 'LEI_14133' || law === 'LEI_8666' ? VALUE_ARTICLE[law] : null;
  const citation = citations.find((c) => c.article === valueArticle) ?? citations[0] ?? null;
  const article = citation?.article ?? null;
  const inciso = citation?.inciso ?? null;
  let ground: LegalBasisReading['ground'] = 'UNKNOWN';
  if (law === 'OTHER') ground = 'OTHER_GROUND';
  else if (valueArticle !== null && article !== null) {
    if (article !== valueArticle) ground = 'OTHER_GROUND';
    else if (inciso === 'I' || inciso === 'II') ground = 'VALUE_LIMITED';
    else if (inciso !== null) ground = 'OTHER_GROUND';
  }
  return { law, article, inciso, ground, citesPandemicRegime };
}
