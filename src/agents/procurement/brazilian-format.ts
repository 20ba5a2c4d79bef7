/**
 * Brazilian number and date formats as published by Compras.gov.br: `61.233,20` (dot for thousands,
 * comma for decimals) and `14/12/2021`. Parsing is strict so that a malformed cell is reported, not guessed.
 */

const GROUPED = /^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
const PLAIN = /^-?\d+(?:,\d+)?$/;

/** `61.233,20` or `3480,00` -> number; `''` -> null; anything else -> NaN. */
export function parseBrazilianNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!GROUPED.test(trimmed) && !PLAIN.test(trimmed)) return Number.NaN;
  return Number(trimmed.replaceAll('.', '').replace(',', '.'));
}

const DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** `14/12/2021` -> `2021-12-14`; `''` -> null; an impossible or malformed date -> undefined. */
export function parseBrazilianDate(text: string): string | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const match = DATE.exec(trimmed);
  if (!match) return undefined;
  const [, day, month, year] = match as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  if (date.getUTCDate() !== Number(day)) return undefined;
  return `${year}-${month}-${day}`;
}
