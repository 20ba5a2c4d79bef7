/**
 * Reading a user's contracts file for the CLI: JSON (an array of normalized records, or
 * `{ "contracts": [...] }`) or CSV with a header row
 * `id,agency_code,agency_name,supplier_id,supplier_name,value,reference_value,date,description,modality,legal_basis`
 * (`,` or `;` separated, decimals with `.`, dates ISO 8601; `reference_value` and `legal_basis` may be
 * empty). Problems name the line and the column (CSV) or the index and the field (JSON).
 */

import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { AgentError } from '../agent.ts';
import { invalidInput, type ValidationProblem } from './problems.ts';
import type { ProcurementRecord } from './record.ts';
import { checkContracts } from './validate.ts';

export const CSV_COLUMNS = [
  'id',
  'agency_code',
  'agency_name',
  'supplier_id',
  'supplier_name',
  'value',
  'reference_value',
  'date',
  'description',
  'modality',
  'legal_basis',
] as const;

const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set(['reference_value', 'legal_basis']);

/** Record field path -> CSV column, to name the column of a problem. */
const COLUMN_OF_FIELD: Readonly<Record<string, string>> = {
  id: 'id',
  'agency.code': 'agency_code',
  'agency.name': 'agency_name',
  'supplier.id': 'supplier_id',
  'supplier.name': 'supplier_name',
  value: 'value',
  referenceValue: 'reference_value',
  date: 'date',
  description: 'description',
  modality: 'modality',
  legalBasis: 'legal_basis',
};

/** Reads and validates a contracts file; throws INVALID_INPUT listing every problem. */
export async function readContractsFile(path: string): Promise<ProcurementRecord[]> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('INVALID_INPUT', `cannot read ${path}: ${reason}`, [{ path, message: reason }]);
  }
  const text = content.replace(/^\uFEFF/, '');
  const first = text.trimStart().charAt(0);
  return first === '[' || first === '{' ? parseJsonContracts(text, path) : parseCsvContracts(text, path);
}

export function parseJsonContracts(text: string, path = 'input'): ProcurementRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidInput(path, [{ path, message: `not valid JSON: ${reason}` }]);
  }
  const list =
    data !== null && typeof data === 'object' && !Array.isArray(data) && 'contracts' in data
      ? data.contracts
      : data;
  const { records, problems } = checkContracts(list, 'contracts');
  if (problems.length > 0) throw invalidInput(path, problems);
  return records;
}

/** Turns `contracts[3].agency.code` into `line 5, column "agency_code"` (line = CSV line of record 3). */
function csvProblem(problem: ValidationProblem, lines: readonly number[]): ValidationProblem {
  const match = /^contracts\[(\d+)\](?:\.(.+))?$/.exec(problem.path);
  if (!match) return problem;
  const line = lines[Number(match[1])];
  const field = match[2];
  const column = field === undefined ? null : (COLUMN_OF_FIELD[field] ?? field);
  return {
    path: column ? `line ${line}, column "${column}"` : `line ${line}`,
    message: problem.message,
  };
}

export function parseCsvContracts(text: string, path = 'input'): ProcurementRecord[] {
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = headerLine.split(';').length > headerLine.split(',').length ? ';' : ',';
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, {
      delimiter,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      info: true,
      skip_empty_lines: true,
      trim: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidInput(path, [{ path, message: `not valid CSV: ${reason}` }]);
  }
  const header = headerLine.split(delimiter).map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/^\uFEFF/, ''),
  );
  const problems: ValidationProblem[] = [];
  const missing = CSV_COLUMNS.filter((c) => !OPTIONAL_COLUMNS.has(c) && !header.includes(c));
  for (const column of missing)
    problems.push({ path: `line 1, column "${column}"`, message: 'missing column' });
  for (const column of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      problems.push({
        path: `line 1, column "${column}"`,
        message: `unknown column; expected ${CSV_COLUMNS.join(',')}`,
      });
    }
  }
  if (problems.length > 0) throw invalidInput(path, problems);

  const candidates = rows.map(({ record }) => csvRowToCandidate(record));
  const lines = rows.map(({ info }) => info.lines);
  const { records, problems: recordProblems } = checkContracts(candidates, 'contracts');
  if (recordProblems.length > 0)
    throw invalidInput(
      path,
      recordProblems.map((p) => csvProblem(p, lines)),
    );
  return records;
}

/** A number cell: `1234.56` (no thousands separators); the raw text is kept when it is not one. */
function numberCell(cell: string | undefined): number | string | undefined {
  if (cell === undefined || cell === '') return undefined;
  return /^-?\d+(?:\.\d+)?$/.test(cell) ? Number(cell) : cell;
}

function csvRowToCandidate(row: Record<string, string>): Record<string, unknown> {
  const candidate: Record<string, unknown> = {
    id: row.id,
    agency: { code: row.agency_code, name: row.agency_name },
    supplier: { id: row.supplier_id, name: row.supplier_name },
    value: numberCell(row.value),
    date: row.date,
    description: row.description,
    modality: row.modality,
  };
  const reference = numberCell(row.reference_value);
  if (reference !== undefined) candidate.referenceValue = reference;
  if (row.legal_basis) candidate.legalBasis = row.legal_basis;
  return candidate;
}
