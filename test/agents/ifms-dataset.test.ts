/**
 * The shipped IFMS dataset: byte-identical copies, the join on id_compra, the mapping onto normalized
 * records, parse-once caching, and CPF masking of natural-person suppliers (24 contract rows, 20 people).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCeuciAgent } from '../../src/agents/ceuci.ts';
import { parseBrazilianDate, parseBrazilianNumber } from '../../src/agents/procurement/brazilian-format.ts';
import { maskCpfsInText, maskDocument } from '../../src/agents/procurement/documents.ts';
import { IFMS_DATASET_DIR, loadIfmsDataset } from '../../src/agents/procurement/ifms-dataset.ts';
import { call } from './helpers/agent-calls.ts';

const SHA256 = {
  'contratos.csv': '85bf3684b15dd6f14234011b4fbf9277fef2c7e1904f1419e22f5ece6ca691d8',
  'compras.csv': 'c9be19eaec024d4d88249ecbffab0b8b828f6f9c272259a12ef9bc9a830a5917',
};

describe('Brazilian formats', () => {
  it('parses amounts with and without thousands separators, and dd/mm/yyyy dates', () => {
    expect(parseBrazilianNumber('61.233,20')).toBe(61233.2);
    expect(parseBrazilianNumber('6.327.002,74')).toBe(6327002.74);
    expect(parseBrazilianNumber('3480,00')).toBe(3480);
    expect(parseBrazilianNumber('')).toBeNull();
    expect(parseBrazilianNumber('61,233.20')).toBeNaN();
    expect(parseBrazilianDate('14/12/2021')).toBe('2021-12-14');
    expect(parseBrazilianDate('31/02/2021')).toBeUndefined();
  });
});

describe('CPF masking', () => {
  it('masks 11-digit CPFs as ***.456.789-** and keeps CNPJs', () => {
    expect(maskDocument('012.690.351-42')).toBe('***.690.351-**');
    expect(maskDocument('01269035142')).toBe('***.690.351-**');
    expect(maskDocument('27.433.790/0001-55')).toBe('27.433.790/0001-55');
    expect(maskDocument('***.690.351-**')).toBe('***.690.351-**');
    expect(maskCpfsInText('JANAINA GONCALVES AJALA 04813808174')).toBe(
      'JANAINA GONCALVES AJALA ***.138.081-**',
    );
    // An MEI's CNPJ root in its name is not a CPF.
    expect(maskCpfsInText('42.057.124 MARCO ANTONIO FERREIRA SILVA')).toBe(
      '42.057.124 MARCO ANTONIO FERREIRA SILVA',
    );
  });
});

describe('IFMS dataset', () => {
  it('ships byte-identical copies of the source files', () => {
    for (const [name, sha] of Object.entries(SHA256)) {
      const bytes = readFileSync(join(IFMS_DATASET_DIR, name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }
  });

  it('loads every contract, joins 1,448 of them to their purchase, and parses once', async () => {
    const data = await loadIfmsDataset();
    expect(data.records).toHaveLength(1546);
    expect(data.joined).toBe(1448);
    expect(data.problems).toEqual([]);
    expect(data.files.map((f) => [f.name, f.sha256, f.rows])).toEqual([
      ['contratos.csv', SHA256['contratos.csv'], 1546],
      ['compras.csv', SHA256['compras.csv'], 2353],
    ]);
    expect(await loadIfmsDataset()).toBe(data);
    const total = data.records.reduce((s, r) => s + r.value, 0);
    // The README gives about R$ 196.9 million in all.
    expect(total).toBeGreaterThan(196.8e6);
    expect(total).toBeLessThan(197.0e6);
  });

  it('maps a joined contract: purchase description, estimate, legal basis, law regime, join key', async () => {
    const { records } = await loadIfmsDataset();
    // contratos.csv: 152269;15813206000302022;...;AQ;158448;Contrato;Dispensa;...;PLUS SERVICE LTDA;599.611,00;...;07/07/2022
    // compras.csv (id_compra 15813206000302022): LEI14133, "Lei 14.133/2021, Art. 75, VIII", valor_estimado 599611,00
    expect(records.find((r) => r.id === '152269')).toEqual({
      id: '152269',
      agency: { code: '158448', name: 'IFMS CAMPUS AQUIDAUANA (AQ)' },
      supplier: { id: '05.488.891/0001-90', name: 'PLUS SERVICE LTDA' },
      value: 599611,
      referenceValue: 599611,
      date: '2022-07-07',
      description:
        'Contratação emergencial de serviços de limpeza, asseio e conservação para atender demandas do IFMS - Campus Aquidauana',
      modality: 'DISPENSA',
      legalBasis: 'Lei 14.133/2021, Art. 75, VIII',
      purchaseId: '15813206000302022',
      lawRegime: 'LEI_14133',
    });
  });

  it('gives an unjoined contract a placeholder description built from its own row, and no invented fields', async () => {
    const { records } = await loadIfmsDataset();
    // 126729: its id_compra 15844806000572021 is not in compras.csv.
    const record = records.find((r) => r.id === '126729');
    expect(record).toMatchObject({
      value: 61233.2,
      date: '2021-12-14',
      modality: 'DISPENSA',
      descriptionFallback: true,
    });
    expect(record?.description).toBe(
      '[objeto não disponível: compra 15844806000572021 ausente de compras.csv] Contrato 00001/2021, processo 23347.009330/2021-88',
    );
    expect(record).not.toHaveProperty('legalBasis');
    expect(record).not.toHaveProperty('lawRegime');
    expect(record).not.toHaveProperty('referenceValue');
  });

  it('masks the CPFs of the 24 natural-person contract rows (20 people) and CPFs inside MEI names', async () => {
    const { records, cpfSuppliers } = await loadIfmsDataset();
    const raw = readFileSync(join(IFMS_DATASET_DIR, 'contratos.csv'), 'utf8');
    const rawCpfs = [...raw.matchAll(/;(\d{3}\.\d{3}\.\d{3}-\d{2});/g)].map((m) => m[1] as string);
    expect(rawCpfs).toHaveLength(24);
    expect(new Set(rawCpfs).size).toBe(20);
    expect(cpfSuppliers).toBe(20);
    const masked = records.filter((r) => r.supplier.id.startsWith('***.'));
    expect(masked).toHaveLength(24);
    // Masking keeps the 20 people apart (no two CPFs share their middle digits).
    expect(new Set(masked.map((r) => r.supplier.id)).size).toBe(20);
    // 127095, ANTONIA AMELIA FARIAS CAMARGO, CPF 012.690.351-42 in the source.
    expect(records.find((r) => r.id === '127095')?.supplier).toEqual({
      id: '***.690.351-**',
      name: 'ANTONIA AMELIA FARIAS CAMARGO',
    });
    // No raw CPF survives anywhere in what the loader hands on, names included.
    const everything = JSON.stringify(records);
    for (const cpf of rawCpfs) {
      expect(everything).not.toContain(cpf);
      expect(everything).not.toContain(cpf.replace(/\D/g, ''));
    }
    expect(everything).not.toContain('04813808174');
    expect(records.find((r) => r.supplier.name.startsWith('JANAINA GONCALVES AJALA'))?.supplier.name).toBe(
      'JANAINA GONCALVES AJALA ***.138.081-**',
    );
  });

  it('is served by ceuci as validated contracts with their source', async () => {
    const result = await call(createCeuciAgent(), 'load_contracts', { dataset: 'ifms' });
    expect(result.count).toBe(1546);
    expect(result.source).toMatchObject({
      kind: 'dataset',
      dataset: 'ifms',
      joinedToPurchases: 1448,
      cpfSuppliersMasked: 20,
    });
    const groups = await call(createCeuciAgent(), 'group_by_agency', { dataset: 'ifms' });
    expect(groups.count).toBe(11);
    const first = (groups.groups as { key: string; count: number }[])[0];
    expect(first).toMatchObject({ key: '155848', count: 69 });
  });
});
