/**
 * The clean baseline of the synthetic data: six agencies with mostly local suppliers, three years of
 * pregões, dispensas (well under the limit) and training inexigibilidades, log-normal values with cents,
 * estimates within 8 % of awarded values, dates spread evenly, and descriptions that are never near
 * duplicates of each other. Anomalies are planted on top of it (`anomalies.ts`).
 */

import { dispensaLimit } from '../legal-limits.ts';
import { jaccard } from '../minhash.ts';
import type { Modality } from '../modality.ts';
import type { ProcurementRecord } from '../record.ts';
import { compactText, shingleHashes } from '../text.ts';
import { cents, Random } from './random.ts';
import { CATEGORIES, type Category, PURPOSES, TRAINING_PROVIDERS, TRAINING_TOPICS } from './vocabulary.ts';

export const AGENCY_COUNT = 6;
export const LOCAL_SUPPLIERS = 25;
export const SHARED_SUPPLIERS = 10;
/** Three full years, all under Lei 14.133 (its limits are in the table for each of them). */
export const FIRST_DAY = Date.UTC(2022, 0, 1) / 86_400_000;
export const DAYS = 1096;

export interface Supplier {
  id: string;
  name: string;
}

export interface Builder {
  rng: Random;
  records: ProcurementRecord[];
  agencies: { code: string; name: string }[];
  suppliers: Supplier[][];
  nextContract: number;
  nextPurchase: number;
  /** Shingles of the descriptions made so far, per category and purpose. */
  described: Map<string, Uint32Array[]>;
}

export function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function cnpj(rng: Random): string {
  const d = (n: number) => String(rng.int(0, 10 ** n - 1)).padStart(n, '0');
  return `${d(2)}.${d(3)}.${d(3)}/0001-${d(2)}`;
}

export function limitII(date: string): number {
  return dispensaLimit('LEI_14133', 'II', date)?.limit ?? 50_000;
}

/** Baseline descriptions stay below this similarity to each other, so every near-duplicate is planted. */
const MAX_BASELINE_SIMILARITY = 0.6;

/**
 * A description for the category, redrawn (up to 50 times) while it is too close to one already made:
 * with a small vocabulary two random draws can share most items and the purpose, which would be a real
 * near-duplicate that nobody planted.
 */
export function describe(b: Builder, category: Category): string {
  let text = '';
  for (let attempt = 0; attempt < 50; attempt++) {
    const items = b.rng.sample(category.items, b.rng.int(3, 5));
    const purpose = b.rng.pick(PURPOSES);
    text = `${category.lead}: ${items.join(', ')}, para ${purpose} - processo ${b.rng.int(1000, 9999)}/${b.rng.int(2022, 2024)}`;
    // Only descriptions sharing the category and the purpose can come close: compare with those.
    const key = `${category.name}/${purpose}`;
    const made = b.described.get(key) ?? [];
    const shingles = shingleHashes(compactText(text), 5);
    if (made.every((other) => jaccard(shingles, other) < MAX_BASELINE_SIMILARITY)) {
      made.push(shingles);
      b.described.set(key, made);
      break;
    }
  }
  return text;
}

export function addContract(
  b: Builder,
  fields: Omit<ProcurementRecord, 'id' | 'purchaseId'> & { purchaseId?: string },
): ProcurementRecord {
  const record: ProcurementRecord = {
    ...fields,
    id: `S${String(b.nextContract++).padStart(6, '0')}`,
    purchaseId: fields.purchaseId ?? newPurchaseId(b),
  };
  b.records.push(record);
  return record;
}

function newPurchaseId(b: Builder): string {
  return `P${String(b.nextPurchase++).padStart(6, '0')}`;
}

export function baseline(seed: number, perAgency: number): Builder {
  const rng = new Random(seed);
  const agencies = Array.from({ length: AGENCY_COUNT }, (_, i) => ({
    code: `90000${i + 1}`,
    name: `SYNTHETIC CAMPUS ${String.fromCharCode(65 + i)}`,
  }));
  const shared = Array.from({ length: SHARED_SUPPLIERS }, (_, i) => ({
    id: cnpj(rng),
    name: `SHARED SUPPLIER ${i + 1} LTDA`,
  }));
  const suppliers = agencies.map((_, a) => {
    const local = Array.from({ length: LOCAL_SUPPLIERS }, (_, i) => ({
      id: cnpj(rng),
      name: `LOCAL ${a + 1}-${i + 1} COMERCIO LTDA`,
    }));
    // Each shared supplier serves at most two agencies, so no baseline supplier reaches many agencies.
    return [...local, ...shared.filter((_, s) => s % AGENCY_COUNT === a || (s + 1) % AGENCY_COUNT === a)];
  });
  const b: Builder = {
    rng,
    records: [],
    agencies,
    suppliers,
    nextContract: 1,
    nextPurchase: 1,
    described: new Map(),
  };
  for (let a = 0; a < AGENCY_COUNT; a++) {
    const agency = agencies[a] as { code: string; name: string };
    let made = 0;
    while (made < perAgency) {
      const date = isoDay(FIRST_DAY + rng.int(0, DAYS - 1));
      const roll = rng.next();
      if (roll < 0.08) {
        // Training by inexigibilidade: no limit, no estimate issues.
        addContract(b, {
          agency,
          supplier: rng.pick(suppliers[a] as Supplier[]),
          value: rng.amount(2500, 0.6),
          date,
          description: `Inscrição de ${rng.int(1, 6)} servidores em capacitação (${rng.pick(TRAINING_PROVIDERS)}) sobre ${rng.sample(TRAINING_TOPICS, rng.int(3, 4)).join(', ')}, para ${rng.pick(PURPOSES)}`,
          modality: 'INEXIGIBILIDADE',
          legalBasis: 'Lei 14.133/2021, Art. 74, III, f',
          lawRegime: 'LEI_14133',
        });
        made++;
        continue;
      }
      const category = rng.pick(CATEGORIES);
      const direct = rng.next() < category.dispensaShare;
      const modality: Modality = direct ? 'DISPENSA' : 'PREGAO';
      const limit = limitII(date);
      const description = describe(b, category);
      // One purchase in ten has two contracts (two suppliers winning different items).
      const contracts = !direct && rng.next() < 0.1 ? 2 : 1;
      const purchaseId = newPurchaseId(b);
      // Baseline dispensas stay well below the limit (at most 40 % of it): no band, no excess, and two of
      // them never add up to a split.
      const values = Array.from({ length: contracts }, () =>
        direct
          ? Math.min(
              rng.amount(6000, 0.9),
              cents(Math.floor(limit * 0.4) - rng.int(1, 999) + rng.int(1, 99) / 100),
            )
          : rng.amount(category.pregaoMedian, category.sigma),
      );
      const total = values.reduce((s, v) => s + v, 0);
      const estimate = cents(total / (0.92 + 0.16 * rng.next()));
      for (const value of values) {
        addContract(b, {
          agency,
          supplier: rng.pick(suppliers[a] as Supplier[]),
          value,
          referenceValue: estimate,
          date,
          description,
          modality,
          legalBasis: direct ? 'Lei 14.133/2021, Art. 75, II' : 'Lei 14.133/2021, Art. 28, I',
          lawRegime: 'LEI_14133',
          purchaseId,
        });
        made++;
      }
    }
  }
  return b;
}
