/**
 * The built-in fan-in: combining branch outputs without an agent.
 *
 * COLLECT keeps each branch output in step order. MERGE folds objects key by key: arrays concatenate,
 * other values take the last branch's, and per-key rules (SUM, MAX, a rank order for levels such as
 * LOW < MEDIUM < HIGH, ...) say otherwise where the plain fold would be wrong. Rules are data, so a
 * definition can combine finding lists and risk scores without any code.
 */

import type { MergeRule } from './definition.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import type { CompiledMerge } from './validate-workflow.ts';

export function mergeOutputs(spec: CompiledMerge, outputs: readonly JsonValue[]): JsonValue {
  if (spec.strategy === 'COLLECT') return [...outputs];
  const merged: JsonObject = {};
  const ruled = new Map<string, JsonValue[]>();
  for (const output of outputs) {
    if (!isJsonObject(output)) continue;
    for (const [key, value] of Object.entries(output)) {
      if (spec.rules.has(key)) {
        const values = ruled.get(key) ?? [];
        values.push(value);
        ruled.set(key, values);
        continue;
      }
      const previous = merged[key];
      merged[key] = Array.isArray(previous) && Array.isArray(value) ? [...previous, ...value] : value;
    }
  }
  for (const [key, values] of ruled) {
    const value = applyRule(spec.rules.get(key)!, values);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function applyRule(rule: MergeRule, values: JsonValue[]): JsonValue | undefined {
  if (typeof rule === 'object') {
    // Highest rank wins; values outside the rank list are ignored.
    let best: JsonValue | undefined;
    let bestRank = -1;
    for (const v of values) {
      const rank = typeof v === 'string' ? rule.rank.indexOf(v) : -1;
      if (rank > bestRank) {
        bestRank = rank;
        best = v;
      }
    }
    return best;
  }
  const numbers = values.filter((v): v is number => typeof v === 'number');
  switch (rule) {
    case 'CONCAT':
      return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    case 'SUM':
      return numbers.reduce((a, b) => a + b, 0);
    case 'MAX':
      return numbers.length ? Math.max(...numbers) : undefined;
    case 'MIN':
      return numbers.length ? Math.min(...numbers) : undefined;
    case 'FIRST':
      return values[0];
    case 'LAST':
      return values[values.length - 1];
  }
}
