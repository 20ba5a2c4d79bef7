/**
 * Conditions are data, never code.
 *
 * `{ path, op, value }` compares a value found in the run's scope, and `all` / `any` / `not` combine
 * them. A definition can therefore come from an untrusted client without any chance of running that
 * client's code. Paths are compiled once at registration.
 */

import { type CompiledPath, compilePath, readPath } from './json.ts';

export const COMPARISON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export type Condition =
  | { path: string; op: ComparisonOp; value?: unknown }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** A condition whose paths are already split. */
export type CompiledCondition =
  | { path: CompiledPath; op: ComparisonOp; value: unknown }
  | { all: CompiledCondition[] }
  | { any: CompiledCondition[] }
  | { not: CompiledCondition };

export function compileCondition(condition: Condition): CompiledCondition {
  if ('all' in condition) return { all: condition.all.map(compileCondition) };
  if ('any' in condition) return { any: condition.any.map(compileCondition) };
  if ('not' in condition) return { not: compileCondition(condition.not) };
  return { path: compilePath(condition.path), op: condition.op, value: condition.value };
}

export function evaluateCondition(condition: CompiledCondition, scope: unknown): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, scope));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);
  const actual = readPath(scope, condition.path);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      // `{ op: "exists" }` and `{ op: "exists", value: true }` ask for presence; `value: false` for absence.
      return (actual !== undefined && actual !== null) === (expected !== false);
    case 'eq':
      return equals(actual, expected);
    case 'ne':
      return !equals(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((candidate) => equals(actual, candidate));
    case 'gt':
      return compare(actual, expected, (a, b) => a > b);
    case 'gte':
      return compare(actual, expected, (a, b) => a >= b);
    case 'lt':
      return compare(actual, expected, (a, b) => a < b);
    case 'lte':
      return compare(actual, expected, (a, b) => a <= b);
  }
}

/** Ordering only between two numbers or two strings; anything else (missing, mixed) is false. */
function compare(a: unknown, b: unknown, test: (a: number | string, b: number | string) => boolean): boolean {
  if (typeof a === 'number' && typeof b === 'number') return test(a, b);
  if (typeof a === 'string' && typeof b === 'string') return test(a, b);
  return false;
}

function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
