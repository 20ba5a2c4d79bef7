/**
 * Planting anomalies in a synthetic baseline: one function per finding type, each changing or adding
 * records and returning the keys a correct detector should report (contract ids, `agency:year`,
 * `agency:month`, `agency:supplier`, supplier ids, agency codes, values, or sorted purchase ids of a
 * duplicate cluster; see `test/agents/helpers/detection-quality.ts`).
 */

import type { FindingType } from '../findings.ts';
import type { ProcurementRecord } from '../record.ts';
import {
  AGENCY_COUNT,
  addContract,
  type Builder,
  cnpj,
  DAYS,
  describe,
  FIRST_DAY,
  isoDay,
  limitII,
  type Supplier,
} from './baseline.ts';
import { cents } from './random.ts';
import { CATEGORIES, type Category, PURPOSES } from './vocabulary.ts';

/** Planted anomalies, five (or so) of each kind per dataset. */
export const INJECTORS: Partial<Record<FindingType, (b: Builder) => string[]>> = {
  PRICE_OUTLIER(b) {
    const pregoes = b.records.filter((r) => r.modality === 'PREGAO');
    return b.rng.sample(pregoes, 10).map((r) => {
      const category = CATEGORIES.find((c) => r.description.startsWith(c.lead)) as Category;
      // Five to seven standard deviations (on the log scale) above the category's typical contract.
      const factor = (category.pregaoMedian * Math.exp(category.sigma * (5 + 2 * b.rng.next()))) / r.value;
      r.value = cents(r.value * factor);
      // The estimate moves with it: an outlier among peers, not a contract above its own estimate.
      if (r.referenceValue !== undefined) r.referenceValue = cents(r.referenceValue * factor);
      return r.id;
    });
  },
  ABOVE_REFERENCE_VALUE(b) {
    // Estimates of R$ 5,000 or more, so the excess clears the detector's minimum (R$ 1,000 by default).
    const singles = b.records.filter(
      (r) =>
        r.referenceValue !== undefined &&
        r.referenceValue >= 5000 &&
        b.records.filter((o) => o.purchaseId === r.purchaseId).length === 1,
    );
    return b.rng.sample(singles, 6).map((r) => {
      r.value = cents((r.referenceValue as number) * (1.6 + 2 * b.rng.next()));
      return r.id;
    });
  },
  SUPPLIER_CONCENTRATION(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 3)) {
      const year = b.rng.pick(['2022', '2023', '2024']);
      const agency = b.agencies[a] as { code: string; name: string };
      const own = b.records
        .filter((r) => r.agency.code === agency.code && r.date.startsWith(year))
        .sort((x, y) => y.value - x.value);
      const favourite = b.rng.pick(b.suppliers[a] as Supplier[]);
      const total = own.reduce((s, r) => s + r.value, 0);
      let held = own.filter((r) => r.supplier.id === favourite.id).reduce((s, r) => s + r.value, 0);
      for (const r of own) {
        if (held / total >= 0.85) break;
        if (r.supplier.id === favourite.id) continue;
        r.supplier = { ...favourite };
        held += r.value;
      }
      keys.push(`${agency.code}:${year}`);
    }
    return keys;
  },
  VOLUME_SPIKE(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 4)) {
      const agency = b.agencies[a] as { code: string; name: string };
      const month = `${b.rng.pick(['2022', '2023', '2024'])}-${String(b.rng.int(1, 11)).padStart(2, '0')}`;
      const burst = b.rng.int(28, 40);
      for (let i = 0; i < burst; i++) {
        const category = b.rng.pick(CATEGORIES);
        const value = b.rng.amount(category.pregaoMedian, category.sigma);
        addContract(b, {
          agency,
          supplier: b.rng.pick(b.suppliers[a] as Supplier[]),
          value,
          referenceValue: value,
          date: `${month}-${String(b.rng.int(1, 28)).padStart(2, '0')}`,
          description: describe(b, category),
          modality: 'PREGAO',
          legalBasis: 'Lei 14.133/2021, Art. 28, I',
          lawRegime: 'LEI_14133',
        });
      }
      keys.push(`${agency.code}:${month}`);
    }
    return keys;
  },
  DUPLICATE_DESCRIPTION(b) {
    const keys: string[] = [];
    const purchases = [...new Set(b.records.map((r) => r.purchaseId as string))];
    const sources = b.rng.sample(purchases, 4);
    const used = new Set(sources);
    for (const source of sources) {
      const original = b.records.find((r) => r.purchaseId === source) as ProcurementRecord;
      const copies = b.rng.sample(
        purchases.filter((p) => !used.has(p)),
        b.rng.int(1, 2),
      );
      for (const copy of copies) {
        used.add(copy);
        for (const r of b.records.filter((x) => x.purchaseId === copy))
          r.description = `${original.description} (lote ${b.rng.int(2, 9)})`;
      }
      keys.push([source, ...copies].sort().join('|'));
    }
    return keys;
  },
  CONTRACT_SPLITTING(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 4)) {
      const agency = b.agencies[a] as { code: string; name: string };
      const supplier = { id: cnpj(b.rng), name: `SPLIT PARTNER ${a + 1} LTDA` };
      const start = FIRST_DAY + b.rng.int(0, DAYS - 120);
      const pieces = b.rng.int(2, 4);
      for (let i = 0; i < pieces; i++) {
        const date = isoDay(start + b.rng.int(0, 60));
        const limit = limitII(date);
        addContract(b, {
          agency,
          supplier,
          // Each piece stays under the limit; two or more together pass it.
          value: cents(limit * (0.55 + 0.3 * b.rng.next()) + 0.37),
          date,
          description: describe(b, b.rng.pick(CATEGORIES)),
          modality: 'DISPENSA',
          legalBasis: 'Lei 14.133/2021, Art. 75, II',
          lawRegime: 'LEI_14133',
        });
      }
      keys.push(`${agency.code}:${supplier.id}`);
    }
    return keys;
  },
  YEAR_END_SPIKE(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 3)) {
      const agency = b.agencies[a] as { code: string; name: string };
      const year = b.rng.pick(['2022', '2023', '2024']);
      const own = b.records.filter((r) => r.agency.code === agency.code && r.date.startsWith(year));
      for (const r of b.rng.sample(own, Math.ceil(own.length * 0.55)))
        r.date = `${year}-12-${String(b.rng.int(1, 30)).padStart(2, '0')}`;
      keys.push(`${agency.code}:${year}`);
    }
    return keys;
  },
  MULTI_AGENCY_SUPPLIER(b) {
    const keys: string[] = [];
    for (let k = 0; k < 3; k++) {
      const supplier = { id: cnpj(b.rng), name: `ROAMING VENDOR ${k + 1} LTDA` };
      for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 6)) {
        const agency = b.agencies[a] as { code: string; name: string };
        const category = b.rng.pick(CATEGORIES);
        const value = b.rng.amount(5000, 0.5);
        addContract(b, {
          agency,
          supplier,
          value,
          referenceValue: value,
          date: isoDay(FIRST_DAY + b.rng.int(0, DAYS - 1)),
          description: describe(b, category),
          modality: 'DISPENSA',
          legalBasis: 'Lei 14.133/2021, Art. 75, II',
          lawRegime: 'LEI_14133',
        });
      }
      keys.push(supplier.id);
    }
    return keys;
  },
  VALUE_BAND_CONCENTRATION(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 2)) {
      const agency = b.agencies[a] as { code: string; name: string };
      const own = b.records.filter(
        (r) => r.agency.code === agency.code && r.legalBasis === 'Lei 14.133/2021, Art. 75, II',
      );
      for (const r of b.rng.sample(own, Math.ceil(own.length * 0.5))) {
        r.value = cents(limitII(r.date) * (0.85 + 0.14 * b.rng.next()));
        r.referenceValue = r.value;
      }
      keys.push(agency.code);
    }
    return keys;
  },
  MODALITY_MIX(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 2)) {
      const agency = b.agencies[a] as { code: string; name: string };
      for (const r of b.records.filter((x) => x.agency.code === agency.code && x.modality === 'PREGAO')) {
        if (b.rng.next() < 0.9) {
          r.modality = 'INEXIGIBILIDADE';
          r.legalBasis = 'Lei 14.133/2021, Art. 74, I';
        }
      }
      keys.push(agency.code);
    }
    return keys;
  },
  REPEATED_VALUE(b) {
    const keys: string[] = [];
    for (let k = 0; k < 4; k++) {
      const value = b.rng.int(5000, 90000) + b.rng.int(1, 99) / 100;
      const targets = b.rng.sample(
        b.records.filter((r) => b.records.filter((o) => o.purchaseId === r.purchaseId).length === 1),
        b.rng.int(3, 5),
      );
      for (const r of targets) {
        r.value = value;
        if (r.referenceValue !== undefined) r.referenceValue = value;
      }
      keys.push(value.toFixed(2));
    }
    return keys;
  },
  ROUND_VALUE_PREFERENCE(b) {
    const keys: string[] = [];
    for (const a of b.rng.sample([0, 1, 2, 3, 4, 5], 2)) {
      const agency = b.agencies[a] as { code: string; name: string };
      const own = b.records.filter((r) => r.agency.code === agency.code && r.value >= 10000);
      for (const r of b.rng.sample(own, Math.ceil(own.length * 0.6))) {
        r.value = Math.round(r.value / 1000) * 1000;
        if (r.referenceValue !== undefined) r.referenceValue = r.value;
      }
      keys.push(agency.code);
    }
    return keys;
  },
  THRESHOLD_EXCEEDED(b) {
    const dispensas = b.records.filter((r) => r.legalBasis === 'Lei 14.133/2021, Art. 75, II');
    const exceeded = b.rng.sample(dispensas, 6).map((r) => {
      r.value = cents(limitII(r.date) * (1.1 + 1.5 * b.rng.next()));
      r.referenceValue = r.value;
      return r.id;
    });
    // Decoys: emergency dispensas (art. 75 VIII) above the limit, lawful because that ground has none.
    for (let i = 0; i < 4; i++) {
      const a = b.rng.int(0, AGENCY_COUNT - 1);
      const date = isoDay(FIRST_DAY + b.rng.int(0, DAYS - 1));
      addContract(b, {
        agency: b.agencies[a] as { code: string; name: string },
        supplier: b.rng.pick(b.suppliers[a] as Supplier[]),
        value: cents(limitII(date) * (2 + 2 * b.rng.next())),
        date,
        description: `Contratação emergencial de serviços de manutenção corretiva de ${b.rng.pick(CATEGORIES[2]?.items ?? [])} após ${b.rng.pick(['temporal', 'incêndio', 'alagamento', 'pane elétrica'])}, para ${b.rng.pick(PURPOSES)}`,
        modality: 'DISPENSA',
        legalBasis: 'Lei 14.133/2021, Art. 75, VIII',
        lawRegime: 'LEI_14133',
      });
    }
    return exceeded;
  },
};
