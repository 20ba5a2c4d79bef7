/**
 * Action parameters (`payload.parameters`): thresholds with documented defaults, validated strictly.
 *
 * Defaults live in the agents' parameter tables (plain data, see `../parameter-tables.ts`) so that the
 * descriptors listing them load no analysis code; each agent builds its zod schema from the same table.
 * An unknown key is rejected rather than ignored: a misspelt threshold silently falling back to its
 * default would make a run look like it used a setting it did not.
 */

import type { z } from 'zod';
import type { JsonObject } from '../../engine/json.ts';
import { invalidInput, problemsFromZod, showValue } from './problems.ts';

/**
 * Parses `payload.parameters` with a strict schema whose fields carry their defaults. Absent or null means
 * "all defaults". Problems are reported as `parameters.<name>: ...`; unknown names list the known ones.
 */
export function parseParameters<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  known: readonly string[],
): z.output<S> {
  const input = raw === undefined || raw === null ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw invalidInput('parameters', [
      { path: 'parameters', message: `expected an object, got ${showValue(raw)}` },
    ]);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = problemsFromZod(parsed.error.issues, input, 'parameters').map((p) =>
    p.message === 'unknown field'
      ? { path: p.path, message: `unknown parameter; known parameters: ${known.join(', ')}` }
      : p,
  );
  throw invalidInput('parameters', problems);
}

/** Parameters as JSON for the output (the effective values, defaults filled in). */
export function parametersToJson(parameters: object): JsonObject {
  return JSON.parse(JSON.stringify(parameters)) as JsonObject;
}
