/**
 * Validation of inline contracts: every bad record is reported with its index and field, none is dropped
 * or repaired, so an analysis never runs on data the caller did not send.
 */

import { invalidInput, problemsFromZod, showValue, type ValidationProblem } from './problems.ts';
import { type ProcurementRecord, procurementRecordSchema, toRecord } from './record.ts';

/**
 * Checks each element of `input` and collects every problem, then either returns the normalized records or
 * throws one INVALID_INPUT AgentError listing the problems (`contracts[3].value: ...`).
 *
 * @param field - name used in problem paths; default `contracts`.
 */
export function validateContracts(input: unknown, field = 'contracts'): ProcurementRecord[] {
  const { records, problems } = checkContracts(input, field);
  if (problems.length > 0) throw invalidInput(field, problems);
  return records;
}

/** Like {@link validateContracts} but returns the problems instead of throwing. */
export function checkContracts(
  input: unknown,
  field = 'contracts',
): { records: ProcurementRecord[]; problems: ValidationProblem[] } {
  if (!Array.isArray(input)) {
    return {
      records: [],
      problems: [{ path: field, message: `expected an array of contracts, got ${showValue(input)}` }],
    };
  }
  if (input.length === 0) {
    return {
      records: [],
      problems: [{ path: field, message: 'expected at least one contract, got an empty array' }],
    };
  }
  const records: ProcurementRecord[] = [];
  const problems: ValidationProblem[] = [];
  const firstIndexOfId = new Map<string, number>();
  input.forEach((element: unknown, index) => {
    const parsed = procurementRecordSchema.safeParse(element);
    if (!parsed.success) {
      problems.push(...problemsFromZod(parsed.error.issues, element, `${field}[${index}]`));
      return;
    }
    const record = toRecord(parsed.data);
    const earlier = firstIndexOfId.get(record.id);
    if (earlier !== undefined) {
      problems.push({
        path: `${field}[${index}].id`,
        message: `duplicate id ${JSON.stringify(record.id)} (also ${field}[${earlier}].id)`,
      });
      return;
    }
    firstIndexOfId.set(record.id, index);
    records.push(record);
  });
  return { records, problems };
}
