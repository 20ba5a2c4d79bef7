/**
 * The built-in IFMS dataset: real federal contracts of the Instituto Federal de Mato Grosso do Sul
 * (Compras.gov.br open data), shipped in `datasets/br-ifms-comprasgov/`.
 *
 * Contracts (`contratos.csv`) are joined to purchase processes (`compras.csv`) on `id_compra` to get the
 * description (`objeto`), the estimated value, the legal basis and the law regime. Files are parsed once
 * per process. A file that cannot be read is an AGENT_FAILURE, never a reason to fall back to other data;
 * a malformed row is left out and listed in the dataset's `problems`, never repaired.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { AgentError } from '../agent.ts';
import { parseBrazilianDate, parseBrazilianNumber } from './brazilian-format.ts';
import { isCpf, maskCpfsInText, maskDocument } from './documents.ts';
import { normalizeModality } from './modality.ts';
import type { LawRegime, ProcurementRecord } from './record.ts';

/** Where the shipped copy lives, relative to this module. */
export const IFMS_DATASET_DIR = fileURLToPath(
  new URL('../../../datasets/br-ifms-comprasgov/', import.meta.url),
);

/** Upstream snapshot the shipped files were copied from (see the dataset README). */
export const IFMS_SNAPSHOT = {
  repository: 'tingolopes/comprasgovIFMS',
  commit: 'd5d89732e652c0a2cf671f0a523c29cbb959418a',
  date: '2026-03-28',
} as const;

export interface DatasetFile {
  name: string;
  sha256: string;
  rows: number;
}

/** A row left out of the dataset, or a cell ignored, and why. */
export interface DatasetProblem {
  file: string;
  /** 1-based line in the file (the header is line 1). */
  line: number;
  column: string;
  message: string;
}

export interface IfmsDataset {
  records: readonly ProcurementRecord[];
  files: DatasetFile[];
  /** Contracts whose `id_compra` was found in `compras.csv`. */
  joined: number;
  /** Suppliers identified by CPF (natural persons), masked in `supplier.id`. */
  cpfSuppliers: number;
  problems: DatasetProblem[];
}

type Row = Record<string, string>;
interface ParsedRow {
  row: Row;
  line: number;
}

const cache = new Map<string, Promise<IfmsDataset>>();

/**
 * Loads (once per process and directory) the IFMS dataset.
 *
 * @param dir - directory holding `contratos.csv` and `compras.csv`; default {@link IFMS_DATASET_DIR}.
 * @throws AgentError `AGENT_FAILURE` when a file cannot be read or parsed as CSV.
 */
export function loadIfmsDataset(dir: string = IFMS_DATASET_DIR): Promise<IfmsDataset> {
  let pending = cache.get(dir);
  if (!pending) {
    pending = readIfmsDataset(dir);
    cache.set(dir, pending);
    // A failed read is not cached: the next call tries again (the file may have been restored).
    pending.catch(() => cache.delete(dir));
  }
  return pending;
}

async function readCsv(dir: string, name: string): Promise<{ rows: ParsedRow[]; file: DatasetFile }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(`${dir.replace(/\/?$/, '/')}${name}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('AGENT_FAILURE', `dataset "ifms": cannot read ${name}: ${reason}`);
  }
  let records: { record: Row; info: { lines: number } }[];
  try {
    records = parse(bytes, {
      bom: true,
      delimiter: ';',
      columns: true,
      info: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as { record: Row; info: { lines: number } }[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('AGENT_FAILURE', `dataset "ifms": ${name} is not valid CSV: ${reason}`);
  }
  const rows = records.map(({ record, info }) => ({ row: record, line: info.lines }));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { rows, file: { name, sha256, rows: rows.length } };
}

async function readIfmsDataset(dir: string): Promise<IfmsDataset> {
  const [contracts, purchases] = await Promise.all([
    readCsv(dir, 'contratos.csv'),
    readCsv(dir, 'compras.csv'),
  ]);
  const problems: DatasetProblem[] = [];
  const purchaseById = new Map<string, ParsedRow>();
  const agencyNames = new Map<string, string>();
  for (const parsed of purchases.rows) {
    purchaseById.set(parsed.row.id_compra ?? '', parsed);
    const code = parsed.row.uasg_codigo ?? '';
    if (code && parsed.row.uasg_nome) agencyNames.set(code, parsed.row.uasg_nome);
  }
  const records: ProcurementRecord[] = [];
  let joined = 0;
  const cpfSuppliers = new Set<string>();
  for (const parsed of contracts.rows) {
    const purchase = purchaseById.get(parsed.row.id_compra ?? '');
    const record = contractToRecord(parsed, purchase, agencyNames, problems);
    if (!record) continue;
    if (purchase) joined++;
    if (isCpf(parsed.row.fornecedor_cnpj ?? '')) cpfSuppliers.add(parsed.row.fornecedor_cnpj ?? '');
    records.push(deepFreeze(record));
  }
  return {
    records: Object.freeze(records),
    files: [contracts.file, purchases.file],
    joined,
    cpfSuppliers: cpfSuppliers.size,
    problems,
  };
}

/** One contract row as a record, or null (with problems recorded) when a required cell is malformed. */
function contractToRecord(
  { row, line }: ParsedRow,
  purchase: ParsedRow | undefined,
  agencyNames: ReadonlyMap<string, string>,
  problems: DatasetProblem[],
): ProcurementRecord | null {
  const bad = (column: string, message: string) =>
    problems.push({ file: 'contratos.csv', line, column, message });
  const id = (row.id_contrato ?? '').trim();
  const agencyCode = (row.origem_uasg ?? '').trim();
  const acronym = (row.origem_sigla ?? '').trim();
  const supplierId = (row.fornecedor_cnpj ?? '').trim();
  const supplierName = (row.fornecedor_nome ?? '').trim();
  const value = parseBrazilianNumber(row.valor_global ?? '');
  const date = parseBrazilianDate(row.vigencia_inicio ?? '');
  const modality = normalizeModality(row.modalidade ?? '');
  const before = problems.length;
  if (!id) bad('id_contrato', 'missing contract id');
  if (!agencyCode) bad('origem_uasg', 'missing agency (UASG) code');
  if (!supplierId) bad('fornecedor_cnpj', 'missing supplier CNPJ/CPF');
  if (!supplierName) bad('fornecedor_nome', 'missing supplier name');
  if (value === null || Number.isNaN(value) || value < 0) {
    bad(
      'valor_global',
      `expected a Brazilian-format amount >= 0, got ${JSON.stringify(row.valor_global ?? '')}`,
    );
  }
  if (!date)
    bad('vigencia_inicio', `expected a dd/mm/yyyy date, got ${JSON.stringify(row.vigencia_inicio ?? '')}`);
  if (!modality) bad('modalidade', `unknown modality ${JSON.stringify(row.modalidade ?? '')}`);
  if (problems.length > before || value === null || !date || !modality) return null;

  const agencyName = agencyNames.get(agencyCode);
  const record: ProcurementRecord = {
    id,
    agency: { code: agencyCode, name: agencyName ? `${agencyName} (${acronym})` : `IFMS ${acronym}` },
    supplier: { id: maskDocument(supplierId), name: maskCpfsInText(supplierName) },
    value,
    date,
    description: fallbackDescription(row),
    modality,
  };
  const purchaseId = (row.id_compra ?? '').trim();
  if (purchaseId) record.purchaseId = purchaseId;
  if (!purchase) {
    record.descriptionFallback = true;
    return record;
  }
  const p = purchase.row;
  const objeto = (p.objeto ?? '').trim();
  if (objeto) record.description = objeto;
  else record.descriptionFallback = true;
  const estimate = parseBrazilianNumber(p.valor_estimado ?? '');
  if (estimate !== null && Number.isNaN(estimate)) {
    problems.push({
      file: 'compras.csv',
      line: purchase.line,
      column: 'valor_estimado',
      message: `ignored: not a Brazilian-format amount: ${JSON.stringify(p.valor_estimado)}`,
    });
  } else if (estimate !== null && estimate > 0) {
    record.referenceValue = estimate;
  }
  const legalBasis = (p.amparo_legal ?? '').trim();
  if (legalBasis) record.legalBasis = legalBasis;
  const regime = lawRegimeOf(p);
  if (regime) record.lawRegime = regime;
  return record;
}

/** `modulo` LEGADO (Lei 8.666/93 and companion laws) or LEI14133; `lei_14133` Sim/Não as a second source. */
function lawRegimeOf(purchase: Row): LawRegime | undefined {
  if (purchase.modulo === 'LEI14133' || purchase.lei_14133 === 'Sim') return 'LEI_14133';
  if (purchase.modulo === 'LEGADO' || purchase.lei_14133 === 'Não') return 'LEI_8666';
  return undefined;
}

/** What the contract row itself says, when its purchase is not in `compras.csv`. */
function fallbackDescription(row: Row): string {
  const kind = (row.tipo ?? '').trim() || 'Contrato';
  const number = (row.numero ?? '').trim();
  const process = (row.processo ?? '').trim();
  const purchase = (row.id_compra ?? '').trim();
  const parts = [`${kind}${number ? ` ${number}` : ''}`];
  if (process) parts.push(`processo ${process}`);
  const missing = purchase ? `compra ${purchase} ausente de compras.csv` : 'sem id_compra';
  return `[objeto não disponível: ${missing}] ${parts.join(', ')}`;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object') deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
