/**
 * Procurement modalities as one normalized enum.
 *
 * Sources spell modalities in many ways ("Pregão", "PREGAO", "Pregão Eletrônico", "Regime Diferenciado de
 * Contratações"); the detectors compare modalities, so every record carries one of these codes and the
 * Portuguese labels are mapped onto them once, at the edge.
 */

export const MODALITIES = [
  'PREGAO',
  'DISPENSA',
  'INEXIGIBILIDADE',
  'CONCORRENCIA',
  'TOMADA_DE_PRECOS',
  'CONVITE',
  'RDC',
  'CONCURSO',
  'LEILAO',
  'DIALOGO_COMPETITIVO',
  'OTHER',
] as const;
export type Modality = (typeof MODALITIES)[number];

/** Direct purchases: awarded without a competitive tender. */
export const DIRECT_PURCHASE_MODALITIES: ReadonlySet<Modality> = new Set(['DISPENSA', 'INEXIGIBILIDADE']);

/** Portuguese labels (accents and case removed, spaces as `_`) and their modality. */
const LABELS: Readonly<Record<string, Modality>> = {
  PREGAO: 'PREGAO',
  PREGAO_ELETRONICO: 'PREGAO',
  PREGAO_PRESENCIAL: 'PREGAO',
  DISPENSA: 'DISPENSA',
  DISPENSA_DE_LICITACAO: 'DISPENSA',
  DISPENSA_ELETRONICA: 'DISPENSA',
  INEXIGIBILIDADE: 'INEXIGIBILIDADE',
  INEXIGIBILIDADE_DE_LICITACAO: 'INEXIGIBILIDADE',
  CONCORRENCIA: 'CONCORRENCIA',
  CONCORRENCIA_ELETRONICA: 'CONCORRENCIA',
  CONCORRENCIA_PRESENCIAL: 'CONCORRENCIA',
  TOMADA_DE_PRECOS: 'TOMADA_DE_PRECOS',
  TOMADA_DE_PRECO: 'TOMADA_DE_PRECOS',
  CONVITE: 'CONVITE',
  CARTA_CONVITE: 'CONVITE',
  RDC: 'RDC',
  REGIME_DIFERENCIADO_DE_CONTRATACOES: 'RDC',
  REGIME_DIFERENCIADO_DE_CONTRATACOES_PUBLICAS: 'RDC',
  CONCURSO: 'CONCURSO',
  LEILAO: 'LEILAO',
  DIALOGO_COMPETITIVO: 'DIALOGO_COMPETITIVO',
  NAO_SE_APLICA: 'OTHER',
  OUTROS: 'OTHER',
  OUTRA: 'OTHER',
  OTHER: 'OTHER',
};

/** Removes accents, upper-cases and joins words with `_`: "Tomada de Preços" -> "TOMADA_DE_PRECOS". */
function labelKey(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .trim()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** The modality a code or Portuguese label names, or null when it names none (never guessed). */
export function normalizeModality(label: string): Modality | null {
  return LABELS[labelKey(label)] ?? null;
}
