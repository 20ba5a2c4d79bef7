/**
 * Reading the few fields the case agents take, including from a saga's default compensation payload,
 * which is `{ output: <the step's output>, ...input, ...data }`: an id may be at the top or under `output`.
 */

import type { JsonObject } from '../../engine/json.ts';
import { AgentError } from '../agent.ts';

function fail(path: string, message: string): never {
  throw new AgentError('INVALID_INPUT', `${path}: ${message}`, [{ path, message }]);
}

/** A required id, at `payload[key]` or, for compensations, at `payload.output[key]`. */
export function readId(payload: JsonObject, key: string): string {
  const direct = payload[key];
  const output = payload.output;
  const nested = output && typeof output === 'object' && !Array.isArray(output) ? output[key] : undefined;
  const value = direct ?? nested;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (value === undefined || value === null) return fail(key, `is required (or output.${key})`);
  return fail(key, `expected a string, got ${JSON.stringify(value)}`);
}

export function readOptionalText(payload: JsonObject, key: string, fallback: string): string {
  const value = payload[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && value.trim() !== '') return value;
  return fail(key, `expected a non-empty string, got ${JSON.stringify(value)}`);
}
