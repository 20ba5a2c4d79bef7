/**
 * The normalized procurement record every investigation agent reads.
 *
 * Workflows accept these inline as `input.contracts`, the built-in datasets produce them, and the CSV/JSON
 * file reader yields them. One shape means every detector is written once. Money is in BRL as numbers,
 * dates are ISO 8601. The schema is strict: an unknown field is more likely a typo (`valor` for `value`)
 * than data worth keeping, so it is reported instead of dropped.
 */

import { z } from 'zod';
import type { JsonObject } from '../../engine/json.ts';
import { maskCpfsInText, maskDocument } from './documents.ts';
import { MODALITIES, type Modality, normalizeModality } from './modality.ts';

/** The law a purchase was run under: the legacy Lei 8.666/1993 or the new Lei 14.133/2021. */
export const LAW_REGIMES = ['LEI_8666', 'LEI_14133'] as const;
export type LawRegime = (typeof LAW_REGIMES)[number];

export interface ProcurementRecord {
  /** Contract id, unique within a run's input. */
  id: string;
  /** The buying unit (for IFMS: the UASG code and campus acronym/name). */
  agency: { code: string; name: string };
  /** CNPJ for companies; CPFs of natural persons are masked (`***.456.789-**`) before display. */
  supplier: { id: string; name: string };
  /** Contracted value in BRL. */
  value: number;
  /** Estimated (reference) value of the purchase in BRL, when known and > 0. */
  referenceValue?: number;
  /** ISO 8601 date (for IFMS: the start of the contract's validity). */
  date: string;
  description: string;
  modality: Modality;
  /** Legal basis as written by the source, e.g. "Lei 14.133/2021, Art. 75, II". */
  legalBasis?: string;
  /** Purchase process id; contracts of one purchase share it (and its description). */
  purchaseId?: string;
  lawRegime?: LawRegime;
  /** True when `description` is a placeholder built from the contract row, not the purchase's object. */
  descriptionFallback?: boolean;
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** True for a real calendar date in ISO 8601 form, year 1900-2100 (a year outside is a typo, not data). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  return hour < 24 && minute < 60 && second < 60;
}

const nonEmpty = z.string().trim().min(1);
const MONEY = 'expected a number >= 0';
const money = z.number({ error: MONEY }).finite({ error: MONEY }).nonnegative({ error: MONEY });
/** Ids may arrive as JSON numbers (e.g. 126729); they are kept as their decimal text. */
const identifier = z.union([nonEmpty, z.number().int().nonnegative().transform(String)], {
  error: 'expected a non-empty string or a non-negative integer',
});

export const procurementRecordSchema = z.strictObject({
  id: identifier,
  agency: z.strictObject({ code: identifier, name: nonEmpty }),
  supplier: z.strictObject({ id: identifier, name: nonEmpty }),
  value: money,
  referenceValue: money.nullish(),
  date: z.string().refine(isIsoDate, { message: 'expected an ISO 8601 date (YYYY-MM-DD)' }),
  description: nonEmpty,
  modality: z.string().refine((label) => normalizeModality(label) !== null, {
    message: `expected one of ${MODALITIES.join(', ')} or its Portuguese label`,
  }),
  legalBasis: z.string().nullish(),
  purchaseId: identifier.nullish(),
  lawRegime: z.enum(LAW_REGIMES).nullish(),
  descriptionFallback: z.boolean().nullish(),
});

export type ProcurementRecordInput = z.input<typeof procurementRecordSchema>;

/**
 * Builds the record from schema output: modality normalized, empty optionals dropped, and natural
 * persons' CPFs masked (in the supplier id and inside its name) so that no later output can show them.
 */
export function toRecord(parsed: z.output<typeof procurementRecordSchema>): ProcurementRecord {
  const record: ProcurementRecord = {
    id: parsed.id,
    agency: { code: parsed.agency.code, name: parsed.agency.name },
    supplier: { id: maskDocument(parsed.supplier.id), name: maskCpfsInText(parsed.supplier.name) },
    value: parsed.value,
    date: parsed.date,
    description: parsed.description,
    modality: normalizeModality(parsed.modality) ?? 'OTHER',
  };
  if (parsed.referenceValue != null && parsed.referenceValue > 0)
    record.referenceValue = parsed.referenceValue;
  if (parsed.legalBasis != null && parsed.legalBasis.trim() !== '') record.legalBasis = parsed.legalBasis;
  if (parsed.purchaseId != null) record.purchaseId = parsed.purchaseId;
  if (parsed.lawRegime != null) record.lawRegime = parsed.lawRegime;
  if (parsed.descriptionFallback === true) record.descriptionFallback = true;
  return record;
}

/** The record as a JSON object (optional fields absent rather than undefined). */
export function recordToJson(record: ProcurementRecord): JsonObject {
  const json: JsonObject = {
    id: record.id,
    agency: { code: record.agency.code, name: record.agency.name },
    supplier: { id: record.supplier.id, name: record.supplier.name },
    value: record.value,
    date: record.date,
    description: record.description,
    modality: record.modality,
  };
  if (record.referenceValue !== undefined) json.referenceValue = record.referenceValue;
  if (record.legalBasis !== undefined) json.legalBasis = record.legalBasis;
  if (record.purchaseId !== undefined) json.purchaseId = record.purchaseId;
  if (record.lawRegime !== undefined) json.lawRegime = record.lawRegime;
  if (record.descriptionFallback) json.descriptionFallback = true;
  return json;
}

/** Month of a record's date, `YYYY-MM`, read from the text so no time zone shifts it. */
export function recordMonth(record: ProcurementRecord): string {
  return record.date.slice(0, 7);
}

/** Days since 1970-01-01 of the record's calendar date; used for windows. */
export function recordDay(record: ProcurementRecord): number {
  return Math.floor(Date.parse(`${record.date.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}
