/**
 * Validation problems a person can act on: where (`contracts[3].value`) and what (`expected a number >= 0,
 * got "abc"`).
 *
 * Zod finds the problems; this module words them, caps how many are reported, and raises them as one
 * `INVALID_INPUT` AgentError whose details are the list of `{ path, message }`, so a caller can fix every
 * bad record in one go instead of one per attempt.
 */

import type { z } from 'zod';
import type { JsonValue } from '../../engine/json.ts';
import { AgentError } from '../agent.ts';

export interface ValidationProblem {
  /** Where the problem is, e.g. `contracts[3].value` or `line 5, column "value"`. */
  path: string;
  message: string;
}

/** Problems reported in one error at most; the message says how many there were in all. */
export const MAX_REPORTED_PROBLEMS = 50;

/** A value as it should appear in a message: strings quoted and shortened, containers named. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `('contracts', [3, 'value'])` -> `contracts[3].value`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix;
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  int: 'an integer',
};

/**
 * Words one zod issue. Schemas may set their own message starting with "expected ..."; the actual value is
 * appended to it. Zod's generic messages are replaced by ones naming the value received.
 */
function describeIssue(issue: z.core.$ZodIssue, actual: unknown): string {
  const own = issue.message.startsWith('expected');
  if (own)
    return actual === undefined
      ? `${issue.message}, but it is missing`
      : `${issue.message}, got ${showValue(actual)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (actual === undefined) return `is required (${ARTICLE[issue.expected] ?? issue.expected})`;
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${showValue(actual)}`;
    case 'too_small':
      if (issue.origin === 'string') return `expected a non-empty string, got ${showValue(actual)}`;
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item(s)`;
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, got ${showValue(actual)}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} item(s)`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}, got ${showValue(actual)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${showValue(actual)}`;
    default:
      return `${issue.message} (got ${showValue(actual)})`;
  }
}

/** Turns zod issues over `input` into problems whose paths start with `prefix` (e.g. `contracts[3]`). */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix = '',
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatPath(prefix, [...issue.path, key]), message: 'unknown field' });
      }
      continue;
    }
    const actual = valueAt(input, issue.path);
    problems.push({ path: formatPath(prefix, issue.path), message: describeIssue(issue, actual) });
  }
  return problems;
}

/** The INVALID_INPUT error for a list of problems; details carry at most {@link MAX_REPORTED_PROBLEMS}. */
export function invalidInput(subject: string, problems: readonly ValidationProblem[]): AgentError {
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  const first = problems[0];
  const head = first ? `${first.path}: ${first.message}` : 'invalid';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s)` : '';
  const capped = problems.length > shown.length ? `; the first ${shown.length} are listed)` : more ? ')' : '';
  const details: JsonValue = shown.map((p) => ({ path: p.path, message: p.message }));
  return new AgentError('INVALID_INPUT', `${subject} is invalid: ${head}${more}${capped}`, details);
}
