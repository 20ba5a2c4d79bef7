/**
 * Malformed input is rejected with the index (or CSV line) and the field, unknown parameters and unknown
 * datasets are rejected, and a dataset that cannot be read fails the agent instead of substituting data.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../../src/agents/agent.ts';
import { createBonifacioAgent } from '../../src/agents/bonifacio.ts';
import { readContractsFile } from '../../src/agents/procurement/contracts-file.ts';
import { loadIfmsDataset } from '../../src/agents/procurement/ifms-dataset.ts';
import { normalizeModality } from '../../src/agents/procurement/modality.ts';
import { MAX_REPORTED_PROBLEMS } from '../../src/agents/procurement/problems.ts';
import { validateContracts } from '../../src/agents/procurement/validate.ts';
import { createZumbiAgent } from '../../src/agents/zumbi.ts';
import type { JsonObject } from '../../src/engine/json.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';
import { call, failure } from './helpers/agent-calls.ts';

const valid: JsonObject = {
  id: 'C-1',
  agency: { code: '158132', name: 'IFMS REITORIA' },
  supplier: { id: '05.488.891/0001-90', name: 'PLUS SERVICE LTDA' },
  value: 1234.56,
  date: '2024-03-01',
  description: 'Aquisição de materiais de expediente',
  modality: 'PREGAO',
};

describe('normalized record validation', () => {
  it('accepts valid records and normalizes Portuguese modality labels', () => {
    const [record] = validateContracts([{ ...valid, modality: 'Pregão Eletrônico', referenceValue: null }]);
    expect(record?.modality).toBe('PREGAO');
    expect(record).not.toHaveProperty('referenceValue');
    expect(normalizeModality('Tomada de Preços')).toBe('TOMADA_DE_PRECOS');
    expect(normalizeModality('Regime Diferenciado de Contratações')).toBe('RDC');
    expect(normalizeModality('Não se Aplica')).toBe('OTHER');
    expect(normalizeModality('leilão')).toBe('LEILAO');
    expect(normalizeModality('anything else')).toBeNull();
  });

  it('reports every bad record with its index and field, in the AgentError details', async () => {
    const zumbi = createZumbiAgent();
    const contracts = [
      valid,
      { ...valid, id: 'C-2', value: 'abc' },
      { ...valid, id: 'C-3', date: '2024-02-30', modality: 'Licitação mágica' },
      { ...valid, id: 'C-4', agency: { code: '', name: 'X' }, valor: 10 },
      { ...valid, id: 'C-1' },
    ];
    const error = await failure(zumbi, 'detect_anomalies', { contracts });
    expect(error.kind).toBe('INVALID_INPUT');
    expect(error.message).toContain('contracts[1].value: expected a number >= 0, got "abc"');
    expect(error.details).toEqual([
      { path: 'contracts[1].value', message: 'expected a number >= 0, got "abc"' },
      { path: 'contracts[2].date', message: 'expected an ISO 8601 date (YYYY-MM-DD), got "2024-02-30"' },
      {
        path: 'contracts[2].modality',
        message:
          'expected one of PREGAO, DISPENSA, INEXIGIBILIDADE, CONCORRENCIA, TOMADA_DE_PRECOS, CONVITE, RDC, CONCURSO, LEILAO, DIALOGO_COMPETITIVO, OTHER or its Portuguese label, got "Licitação mágica"',
      },
      { path: 'contracts[3].agency.code', message: 'expected a non-empty string, got ""' },
      { path: 'contracts[3].valor', message: 'unknown field' },
      { path: 'contracts[4].id', message: 'duplicate id "C-1" (also contracts[0].id)' },
    ]);
  });

  it("masks a natural person's CPF given inline, in the id and in the name", () => {
    const [record] = validateContracts([
      { ...valid, supplier: { id: '012.690.351-42', name: 'MARIA DA SILVA 01269035142' } },
    ]);
    expect(record?.supplier).toEqual({ id: '***.690.351-**', name: 'MARIA DA SILVA ***.690.351-**' });
  });

  it('rejects negative money, missing fields and non-objects', () => {
    try {
      validateContracts([{ ...valid, value: -5, referenceValue: 'x' }, { id: 'Z' }, 7]);
      expect.unreachable();
    } catch (error) {
      expect(isAgentError(error)).toBe(true);
      const details = (error as { details: { path: string; message: string }[] }).details;
      expect(details).toContainEqual({
        path: 'contracts[0].value',
        message: 'expected a number >= 0, got -5',
      });
      expect(details).toContainEqual({
        path: 'contracts[0].referenceValue',
        message: 'expected a number >= 0, got "x"',
      });
      expect(details).toContainEqual({
        path: 'contracts[1].value',
        message: 'expected a number >= 0, but it is missing',
      });
      expect(details).toContainEqual({ path: 'contracts[1].supplier', message: 'is required (an object)' });
      expect(details).toContainEqual({ path: 'contracts[2]', message: 'expected an object, got 7' });
    }
  });

  it('caps the reported problems but says how many there were', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ ...valid, id: `X${i}`, value: 'bad' }));
    try {
      validateContracts(many);
      expect.unreachable();
    } catch (error) {
      const e = error as { message: string; details: unknown[] };
      expect(e.details).toHaveLength(MAX_REPORTED_PROBLEMS);
      expect(e.message).toContain('and 79 more problem(s); the first 50 are listed');
    }
  });

  it('rejects an empty list and a non-list', async () => {
    const zumbi = createZumbiAgent();
    expect((await failure(zumbi, 'detect_anomalies', { contracts: [] })).message).toContain('empty array');
    expect((await failure(zumbi, 'detect_anomalies', { contracts: { a: 1 } })).details).toEqual([
      { path: 'contracts', message: 'expected an array of contracts, got an object' },
    ]);
  });
});

describe('payload sources and parameters', () => {
  it('rejects an unknown dataset, naming the known ones', async () => {
    const error = await failure(createZumbiAgent(), 'detect_anomalies', { dataset: 'sao-paulo' });
    expect(error.kind).toBe('INVALID_INPUT');
    expect(error.message).toBe('unknown dataset "sao-paulo"; known datasets: ifms');
  });

  it('needs exactly one of contracts and dataset', async () => {
    const zumbi = createZumbiAgent();
    expect((await failure(zumbi, 'detect_anomalies', {})).message).toContain('expected contracts');
    expect((await failure(zumbi, 'detect_anomalies', { contracts: [valid], dataset: 'ifms' })).message).toBe(
      'send either contracts or dataset, not both',
    );
    // A mapping of a missing input path may arrive as null: that is "not given".
    const result = await call(zumbi, 'detect_anomalies', { contracts: [valid], dataset: null });
    expect(result.contractsAnalyzed).toBe(1);
  });

  it('rejects unknown parameters and bad values, listing the known names', async () => {
    const zumbi = createZumbiAgent();
    const unknown = await failure(zumbi, 'detect_anomalies', {
      contracts: [valid],
      parameters: { outlierZ: 3 },
    });
    expect(unknown.kind).toBe('INVALID_INPUT');
    const [problem] = unknown.details as { path: string; message: string }[];
    expect(problem?.path).toBe('parameters.outlierZ');
    expect(problem?.message).toMatch(/^unknown parameter; known parameters: detectors, outlierZThreshold, /);
    const bad = await failure(createBonifacioAgent(), 'check_compliance', {
      contracts: [valid],
      parameters: { defaultInciso: 'III' },
    });
    expect(bad.details).toEqual([
      { path: 'parameters.defaultInciso', message: 'expected one of "I", "II", got "III"' },
    ]);
  });

  it('rejects an unknown action', async () => {
    const error = await failure(createZumbiAgent(), 'detect_everything', { contracts: [valid] });
    expect(error).toMatchObject({ kind: 'INVALID_INPUT' });
    expect(error.message).toContain('it offers detect_anomalies');
  });

  it('fails the agent, never falls back, when a dataset file cannot be read', async () => {
    const empty = temporaryDirectory('orquestra-no-dataset-');
    await expect(loadIfmsDataset(empty)).rejects.toMatchObject({
      kind: 'AGENT_FAILURE',
      message: expect.stringContaining('cannot read contratos.csv'),
    });
  });
});

describe('readContractsFile', () => {
  const dir = temporaryDirectory('orquestra-contracts-file-');
  const header =
    'id,agency_code,agency_name,supplier_id,supplier_name,value,reference_value,date,description,modality,legal_basis';

  it('reads CSV with , or ; and names the line and column of every problem', async () => {
    const good = join(dir, 'good.csv');
    writeFileSync(
      good,
      `${header}\n1,158132,IFMS RT,05.488.891/0001-90,PLUS,1500.50,1600,2024-01-10,Limpeza,Dispensa,"Lei 14.133/2021, Art. 75, II"\n`,
    );
    const [record] = await readContractsFile(good);
    expect(record).toMatchObject({ id: '1', value: 1500.5, referenceValue: 1600, modality: 'DISPENSA' });
    expect(record?.legalBasis).toBe('Lei 14.133/2021, Art. 75, II');

    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      `${header.replaceAll(',', ';')}\n1;A;Ag;S;Sup;10;;2024-01-01;x;Pregão;\n2;A;Ag;S;Sup;1.234,56;;2024-01-01;x;Pregão;\n3;A;Ag;S;Sup;5;;01/02/2024;x;Pregão;\n`,
    );
    await expect(readContractsFile(bad)).rejects.toMatchObject({
      kind: 'INVALID_INPUT',
      details: [
        { path: 'line 3, column "value"', message: 'expected a number >= 0, got "1.234,56"' },
        {
          path: 'line 4, column "date"',
          message: 'expected an ISO 8601 date (YYYY-MM-DD), got "01/02/2024"',
        },
      ],
    });
  });

  it('rejects CSV with missing or unknown columns', async () => {
    const file = join(dir, 'columns.csv');
    writeFileSync(file, 'id,agency_code,valor\n1,A,10\n');
    await expect(readContractsFile(file)).rejects.toMatchObject({
      details: expect.arrayContaining([
        { path: 'line 1, column "agency_name"', message: 'missing column' },
        { path: 'line 1, column "valor"', message: expect.stringContaining('unknown column') },
      ]),
    });
  });

  it('reads JSON as a list or as { contracts }, with index and field in errors', async () => {
    const list = join(dir, 'list.json');
    writeFileSync(list, JSON.stringify([valid]));
    expect(await readContractsFile(list)).toHaveLength(1);
    const wrapped = join(dir, 'wrapped.json');
    writeFileSync(
      wrapped,
      JSON.stringify({ contracts: [valid, { ...valid, id: 'C-2', date: 'yesterday' }] }),
    );
    await expect(readContractsFile(wrapped)).rejects.toMatchObject({
      details: [
        { path: 'contracts[1].date', message: 'expected an ISO 8601 date (YYYY-MM-DD), got "yesterday"' },
      ],
    });
  });
});
