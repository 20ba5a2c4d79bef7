/**
 * Findings on the real IFMS data that were checked by hand against the CSV files.
 *
 * Each expectation names the contract, its values, and why it is (or is not) flagged; the raw rows are
 * quoted as `contratos.csv: id;id_compra;...` with the columns id_contrato, id_compra, origem_sigla,
 * origem_uasg, tipo, modalidade, fornecedor, valor_global, vigencia_inicio.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agents/agent.ts';
import { createAnitaAgent } from '../../src/agents/anita.ts';
import { createBonifacioAgent } from '../../src/agents/bonifacio.ts';
import { createCeuciAgent } from '../../src/agents/ceuci.ts';
import { detectDuplicateDescriptions } from '../../src/agents/detectors/duplicate-descriptions.ts';
import { createOxossiAgent } from '../../src/agents/oxossi.ts';
import { loadIfmsDataset } from '../../src/agents/procurement/ifms-dataset.ts';
import { createTiradentesAgent } from '../../src/agents/tiradentes.ts';
import { createZumbiAgent } from '../../src/agents/zumbi.ts';
import type { JsonObject } from '../../src/engine/json.ts';
import { call, findingById, findingsOf } from './helpers/agent-calls.ts';

type Result = Record<string, unknown>;

/** Runs an action on the full dataset and reports how long it took (the dataset is already parsed). */
async function timed(agent: Agent, action: string, payload: JsonObject = { dataset: 'ifms' }) {
  const started = performance.now();
  const result = await call(agent, action, payload);
  const ms = performance.now() - started;
  console.log(
    `${agent.name}.${action} on ${String(result.contractsAnalyzed)} IFMS contracts: ${ms.toFixed(1)} ms`,
  );
  return { result, ms };
}

const results: Record<string, Result> = {};

beforeAll(async () => {
  await loadIfmsDataset();
  for (const [name, agent, action] of [
    ['zumbi', createZumbiAgent(), 'detect_anomalies'],
    ['anita', createAnitaAgent(), 'analyze_patterns'],
    ['oxossi', createOxossiAgent(), 'detect_fraud_indicators'],
    ['bonifacio', createBonifacioAgent(), 'check_compliance'],
  ] as const) {
    const { result, ms } = await timed(agent, action);
    // 1,546 contracts, every detector included, well under a second.
    expect(ms).toBeLessThan(1000);
    results[name] = result;
  }
});

describe('bonifacio on IFMS: dispensas above the legal limit', () => {
  it('flags 362418: R$ 60,062.40 under Lei 14.133 art. 75 II in 2024, limit R$ 59,906.02', () => {
    // contratos.csv: 362418;15813206900202024;RT;158132;Contrato;Dispensa;CAFE COLISEU LTDA;60.062,40;19/12/2024
    // compras.csv: LEI14133, "Lei 14.133/2021, Art. 75, II", estimated 59.341,45, awarded 48.663,50.
    // Decreto 11.871/2023 set the 2024 art. 75 II limit at R$ 59,906.02 and 14.133 requires "inferiores a".
    const f = findingById(results.bonifacio as Result, 'THRESHOLD_EXCEEDED:362418');
    expect(f.evidence).toMatchObject({
      value: 60062.4,
      limit: 59906.02,
      regime: 'LEI_14133',
      regimeSource: 'RECORD',
      inciso: 'II',
      incisoSource: 'LEGAL_BASIS',
      limitSource: 'Decreto 11.871/2023 (in force 1 Jan 2024)',
    });
    expect(f.evidence.excess).toBe(156.38);
    expect(f.severity).toBe('MEDIUM');
  });

  it('flags 126729: R$ 61,233.20 on 2021-12-14, above even the more permissive 2021 limit (R$ 50,000)', () => {
    // contratos.csv: 126729;15844806000572021;AQ;158448;Contrato;Dispensa;L.V.V.M. TREMURA;61.233,20;14/12/2021
    // Its purchase is not in compras.csv: no legal basis, no law regime. In December 2021 both laws were in
    // use; under 8.666 art. 24 II the limit was R$ 17,600 (Decreto 9.412/2018), under 14.133 art. 75 II
    // R$ 50,000. The finding uses the higher one and says so, and inciso II is assumed: MEDIUM at most.
    const f = findingById(results.bonifacio as Result, 'THRESHOLD_EXCEEDED:126729');
    expect(f.evidence).toMatchObject({
      value: 61233.2,
      limit: 50000,
      regime: 'LEI_14133',
      regimeSource: 'DATE_AMBIGUOUS',
    });
    expect(f.evidence.caveats).toEqual([
      'law regime unknown and both laws were in use on that date: the more permissive Lei 14.133 limit was applied',
      'no legal basis recorded: inciso II was assumed; dispensas on grounds without a value limit (emergency, utilities, ...) would not be irregular',
    ]);
    expect(f.severity).toBe('MEDIUM');
  });

  it('reports 57424 as a LOW lead: R$ 42,628.08 in August 2020 passes the ordinary R$ 17,600 but not the pandemic R$ 50,000', () => {
    // contratos.csv: 57424;15844906000142020;CG;158449;Contrato;Dispensa;FORTHE LUX COMERCIO E SERVICO LTDA;42.628,08;21/08/2020
    // compras.csv: LEGADO, "Art. 24º, Inciso II da Lei nº 8.666", objeto "Aquisição emergencial.".
    // MP 961/2020 (Lei 14.065/2020) allowed R$ 50,000 from 7 May to 31 Dec 2020; the basis does not cite it.
    const f = findingById(results.bonifacio as Result, 'THRESHOLD_EXCEEDED:57424');
    expect(f.severity).toBe('LOW');
    expect(f.evidence).toMatchObject({
      value: 42628.08,
      limit: 17600,
      temporaryLimit: 50000,
      regime: 'LEI_8666',
    });
    // Without the pandemic regime it is a plain excess (HIGH: 2.4x the limit).
    return call(createBonifacioAgent(), 'check_compliance', {
      dataset: 'ifms',
      parameters: { pandemicRegimeLimits: false },
    }).then((strict) => {
      expect(findingById(strict, 'THRESHOLD_EXCEEDED:57424').severity).toBe('HIGH');
    });
  });

  it('caps utility bills without a recorded basis at MEDIUM (71836 ENERGISA, R$ 240,000.00 in 2015)', () => {
    // contratos.csv: 71836;15845106000062014;CX;158451;Contrato;Dispensa;ENERGISA MATO GROSSO DO SUL ...;240.000,00;13/08/2015
    // No purchase row: most likely art. 24 XXII (energy supply, no value limit). Flagged against the 2015
    // inciso II limit of R$ 8,000 with that caveat, never HIGH.
    const f = findingById(results.bonifacio as Result, 'THRESHOLD_EXCEEDED:71836');
    expect(f.evidence).toMatchObject({ limit: 8000, incisoSource: 'DEFAULT', regimeSource: 'DATE' });
    expect(f.score).toBeLessThanOrEqual(6.5);
  });

  it('does not flag dispensas on grounds without a value limit, nor those under their limit', () => {
    const ids = findingsOf(results.bonifacio as Result).map((f) => f.id);
    // 346024: R$ 6,327,002.74 to FADEX under "Lei 14.133/2021, Art. 75, XV" (support foundation): no limit.
    expect(ids).not.toContain('THRESHOLD_EXCEEDED:346024');
    // 243966: R$ 113,844.00, art. 75 I (engineering), 2024-01-04: under the R$ 119,812.02 limit of 2024.
    expect(ids).not.toContain('THRESHOLD_EXCEEDED:243966');
    const compliance = (results.bonifacio as Result).compliance as {
      dispensas: number;
      skipped: Record<string, string[]>;
    };
    expect(compliance.dispensas).toBe(366);
    expect(compliance.skipped['ground without a value limit']).toContain('346024');
    expect([...ids].sort()).toEqual(
      [
        'THRESHOLD_EXCEEDED:125761',
        'THRESHOLD_EXCEEDED:126729',
        'THRESHOLD_EXCEEDED:362418',
        'THRESHOLD_EXCEEDED:57424',
        'THRESHOLD_EXCEEDED:71836',
        'THRESHOLD_EXCEEDED:72001',
        'THRESHOLD_EXCEEDED:85096',
      ].sort(),
    );
  });

  it('returns the limits table with the act behind each figure', () => {
    const table = (results.bonifacio as Result).legalLimits as {
      from: string;
      incisoI: number;
      incisoII: number;
      source: string;
    }[];
    expect(table.find((r) => r.from === '2022-01-01')).toMatchObject({
      incisoI: 108040.82,
      incisoII: 54020.41,
    });
    expect(table.find((r) => r.from === '2025-01-01')).toMatchObject({
      incisoI: 125451.15,
      incisoII: 62725.59,
      source: 'Decreto 12.343/2024 (in force 1 Jan 2025)',
    });
    expect(table.find((r) => r.from === '2018-07-19')).toMatchObject({ incisoI: 33000, incisoII: 17600 });
  });
});

describe('zumbi on IFMS', () => {
  it('finds RT 2026 concentrated on one support foundation (contract 817696, 91.1 %)', () => {
    // contratos.csv: 817696;15813206002932025;RT;158132;Contrato;Dispensa;FUNDACAO DE APOIO A EDUCACAO E AO
    // DESENVOLVIMENTO TECNOLOGICO DO RN;920.000,00;23/02/2026. RT's 11 contracts dated 2026 total
    // R$ 1,010,333.15, so one supplier holds 920,000 / 1,010,333.15 = 91.06 % > 70 %.
    const f = findingById(results.zumbi as Result, 'SUPPLIER_CONCENTRATION:158132:2026:02.852.277/0001-78');
    expect(f.contractIds).toEqual(['817696']);
    expect(f.evidence).toMatchObject({
      supplierValue: 920000,
      agencyTotalValue: 1010333.15,
      share: 0.9106,
      agencyContracts: 11,
    });
  });

  it('finds 430007 (RNP, R$ 333,840.26) a price outlier among 26 DISPENSA/IT contracts', () => {
    // contratos.csv: 430007;15813206000782025;RT;158132;Contrato;Dispensa;REDE NACIONAL DE ENSINO E PESQUISA - RNP;333.840,26;20/01/2025
    // Software licences; the group's median contract is R$ 2,291.29, 145.7 times smaller.
    const f = findingById(results.zumbi as Result, 'PRICE_OUTLIER:430007');
    expect(f.evidence).toMatchObject({
      group: { modality: 'DISPENSA', category: 'IT', contracts: 26 },
      robustZ: 5.77,
    });
  });

  it('finds 57478 awarded at 7.75x its estimate (R$ 1,032,556.81 vs R$ 133,183.74)', () => {
    // contratos.csv: 57478;15844906000082020;CG;158449;Contrato;Dispensa;PRIME CLEAN ...;1.032.556,81;30/03/2020
    // compras.csv: art. 24 XI (remaining work after a rescinded contract), valor_estimado 133183,74.
    const f = findingById(results.zumbi as Result, 'ABOVE_REFERENCE_VALUE:57478');
    expect(f.evidence).toMatchObject({ value: 1032556.81, referenceValue: 133183.74, ratio: 7.753 });
  });

  it('does not read legacy pregão estimates (item prices) as references', () => {
    // 58093: R$ 910,600.00 against a legacy pregão "estimate" of R$ 6.25; across the 73 legacy pregões the
    // median purchase is 3.63x its estimate, so the group is set aside instead of producing 50 findings.
    const stats = (
      (results.zumbi as Result).detectorStats as Record<string, { incomparable: { groups: unknown[] } }>
    ).ABOVE_REFERENCE_VALUE;
    expect(stats?.incomparable.groups).toEqual([
      { group: 'PREGAO/LEI_8666', purchases: 73, medianRatio: 3.63, aboveShare: 0.685 },
    ]);
    expect(findingsOf(results.zumbi as Result).map((f) => f.id)).not.toContain('ABOVE_REFERENCE_VALUE:58093');
  });

  it('finds two same-day dispensas to one builder with the same justification (85096 + 85612)', () => {
    // contratos.csv: 85096;15585006000162020;JD;...;Dispensa;SALAZAR CONSTRUTORA LTDA;27.801,02;31/12/2020
    //                85612;15585006000122020;JD;...;Dispensa;SALAZAR CONSTRUTORA LTDA;14.854,83;31/12/2020
    // Two purchases, same agency, same supplier, same day, identical objeto text: the split signature.
    const f = findingById(results.zumbi as Result, 'DUPLICATE_DESCRIPTION:purchase:15585006000122020+1');
    expect(f.contractIds).toEqual(['85096', '85612']);
    expect(f.severity).toBe('HIGH');
    expect(f.evidence).toMatchObject({
      minSimilarity: 1,
      agencies: ['155850'],
      directPurchases: 2,
      spanDays: 0,
    });
  });

  it('finds Três Lagoas signing 67 contracts in December 2024 against a median of 1 a month', () => {
    const f = findingById(results.zumbi as Result, 'VOLUME_SPIKE:158454:2024-12');
    expect(f.evidence).toMatchObject({ contracts: 67, medianContractsPerMonth: 1, measures: ['COUNT'] });
    expect(f.contractIds).toHaveLength(67);
  });

  it('de-duplicates by purchase before comparing descriptions (13 similar pairs, not 17,000)', async () => {
    const stats = ((results.zumbi as Result).detectorStats as Record<string, Record<string, number>>)
      .DUPLICATE_DESCRIPTION;
    // 463 purchases in contratos.csv plus contracts without id_compra, minus placeholders and boilerplate.
    expect(stats).toMatchObject({ purchasesCompared: 381, similarPairs: 13, clusters: 11 });
    // Comparing contracts instead of purchases reproduces the ~17,000 sibling "duplicates" the README warns of.
    const { records } = await loadIfmsDataset();
    const siblings = detectDuplicateDescriptions(
      records.map((r) => ({ ...r, purchaseId: undefined })),
      { similarityThreshold: 0.8, minDescriptionLength: 40 },
    );
    expect(siblings.stats.similarPairs).toBeGreaterThan(17000);
  });
});

describe('anita on IFMS', () => {
  it('finds Jardim dating 18 of its 20 contracts of 2024 in December', () => {
    const f = findingById(results.anita as Result, 'YEAR_END_SPIKE:155850:2024');
    expect(f.evidence).toMatchObject({ yearContracts: 20, decemberContracts: 18, countShare: 0.9 });
  });

  it('finds ENERGISA with 31 direct purchases across 10 agencies', () => {
    const f = findingById(results.anita as Result, 'MULTI_AGENCY_SUPPLIER:15.413.826/0001-50');
    expect(f.evidence).toMatchObject({ agencyCount: 10, contracts: 31, directShare: 1 });
  });

  it('finds no dispensas bunched below the limit and no agency mostly without competition', () => {
    const types = new Set(findingsOf(results.anita as Result).map((f) => f.type));
    // At most 17 % of any campus's value-limited dispensas sit at 80-100 % of the limit (threshold 30 %);
    // the highest non-competitive share of value is Campo Grande's 32 % (threshold 60 %).
    expect(types.has('VALUE_BAND_CONCENTRATION')).toBe(false);
    expect(types.has('MODALITY_MIX')).toBe(false);
  });

  it('reports yearly trends', () => {
    const trends = (
      (results.anita as Result).patterns as {
        trends: { yearly: { year: number; contracts: number }[]; busiestYear: number };
      }
    ).trends;
    expect(trends.yearly.find((y) => y.year === 2025)?.contracts).toBe(480);
    expect(trends.busiestYear).toBe(2025);
  });
});

describe('oxossi on IFMS', () => {
  it("finds the first digits of 1,532 values acceptably close to Benford's law, and says why that is a weak test", () => {
    const benford = (results.oxossi as Result).benford as Record<string, unknown>;
    expect(benford).toMatchObject({
      sampleSize: 1532,
      chiSquare: 14.477,
      mad: 0.00901,
      conformity: 'ACCEPTABLE',
      chiSquareRejects5: false,
    });
    expect(String(benford.caveat)).toContain('Sample size matters');
    expect(findingsOf(results.oxossi as Result).some((f) => f.type === 'BENFORD_DEVIATION')).toBe(false);
  });

  it('finds R$ 5,000.00 in five different purchases of five agencies', () => {
    // 14606, 43166, 58021: EBC (public broadcaster) by inexigibilidade in 2016, 2019, 2020; 420318 and
    // 430235: two other suppliers by pregão in 2024. A fixed fee explains the first three.
    const f = findingById(results.oxossi as Result, 'REPEATED_VALUE:5000.00');
    expect(f.contractIds).toEqual(['14606', '43166', '58021', '420318', '430235']);
  });
});

describe('tiradentes on IFMS', () => {
  it('ranks the eleven campuses from per-agency analyses (the map-reduce reduce step)', async () => {
    const groups = (await call(createCeuciAgent(), 'group_by_agency', { dataset: 'ifms' })).groups as {
      key: string;
      contracts: JsonObject[];
    }[];
    const zumbi = createZumbiAgent();
    const perAgency: JsonObject[] = [];
    for (const group of groups) {
      perAgency.push(
        (await call(zumbi, 'detect_anomalies', {
          contracts: group.contracts,
          label: group.key,
        })) as JsonObject,
      );
    }
    const ranked = await call(createTiradentesAgent(), 'rank_agencies', { results: perAgency });
    const ranking = ranked.ranking as {
      rank: number;
      label: string;
      agencyName: string;
      riskScore: number;
    }[];
    expect(ranking).toHaveLength(11);
    expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (let i = 1; i < ranking.length; i++) {
      expect((ranking[i - 1] as { riskScore: number }).riskScore).toBeGreaterThanOrEqual(
        (ranking[i] as { riskScore: number }).riskScore,
      );
    }
    // Aquidauana: 61 contracts and a single LOW finding (11 contracts in December 2024), last.
    expect(ranking[10]).toMatchObject({ label: '158448', agencyName: 'IFMS CAMPUS AQUIDAUANA (AQ)' });
    expect(ranked.contractsAnalyzed).toBe(1546);
  });

  it('writes the same report for the same findings, with the evidence to check by hand', async () => {
    const tiradentes = createTiradentesAgent();
    const payload: JsonObject = {
      analyses: { detection: results.zumbi as JsonObject, compliance: results.bonifacio as JsonObject },
      dataset: 'ifms',
    };
    const started = performance.now();
    const first = await call(tiradentes, 'generate_report', payload);
    console.log(
      `tiradentes.generate_report over zumbi + bonifacio: ${(performance.now() - started).toFixed(1)} ms`,
    );
    const second = await call(tiradentes, 'generate_report', payload);
    expect(second).toEqual(first);
    const markdown = (first.report as { markdown: string }).markdown;
    expect(markdown).toContain('# Procurement investigation report');
    expect(markdown).toContain('Dispensa 362418 (R$ 60.062,40, 2024-12-19) exceeds the R$ 59.906,02 limit');
    expect(markdown).toContain('limitSource: Decreto 11.871/2023 (in force 1 Jan 2024)');
    expect(markdown).toContain('1546 contracts');
    expect(markdown).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const zumbiCount = findingsOf(results.zumbi as Result).length;
    const bonifacioCount = findingsOf(results.bonifacio as Result).length;
    expect(first.anomaliesFound).toBe(zumbiCount + bonifacioCount);
    expect(first.riskLevel).toBe('HIGH');
  });
});
