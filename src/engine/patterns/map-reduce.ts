/**
 * MAP_REDUCE: any steps before the map step run first, in order (e.g. loading the data). Then the map
 * step runs once per item of the list at `map.items` (grouped by `map.groupBy` when given, each item
 * then `{ key, items }`), at most `map.concurrency` at once. With `onItemFailure: FAIL` the first failed
 * item aborts the others and fails the run; with `SKIP` failed items are left out. Finally the reduce
 * step receives `results`, the map outputs in item order, and `failures`. Output: the reduce output.
 */

import type { AbortReason } from '../abort-scope.ts';
import type { ErrorInfo } from '../errors.ts';
import { type JsonObject, type JsonValue, readPath } from '../json.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import type { CompiledStep } from '../validate-workflow.ts';
import { combineFailures, completed, failed } from './results.ts';

export async function runMapReduce(run: RunExecution): Promise<PatternResult> {
  const steps = run.workflow.steps;
  const mapStep = steps.find((s) => s.map) as CompiledStep;
  const reduceStep = steps.find((s) => s.reduce) as CompiledStep;
  const map = mapStep.map!;

  for (const step of steps.slice(0, mapStep.index)) {
    const outcome = await run.runStep(step);
    if (outcome.status === 'FAILED') return failed(outcome.error);
  }

  const list = readPath(run.scope, map.items);
  if (!Array.isArray(list)) {
    return failed({
      kind: 'INVALID_INPUT',
      message: `the map step "${mapStep.id}" maps over "${map.items.join('.')}", which is ${list === undefined ? 'missing' : `not a list (${typeof list})`}`,
    });
  }
  const items: JsonValue[] = map.groupBy ? groupBy(list as JsonValue[], map.groupBy) : (list as JsonValue[]);

  const group = run.abort.child();
  const results: (JsonValue | undefined)[] = new Array(items.length);
  const failures: { stepId: string; itemIndex: number; error: ErrorInfo }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !group.aborted) {
      const index = next++;
      const outcome = await run.runStep(mapStep, {
        extras: { item: items[index] as JsonValue, index },
        itemIndex: index,
        scope: group,
      });
      if (outcome.status === 'COMPLETED') results[index] = outcome.output;
      else if (outcome.status === 'FAILED' && !(outcome.cancelled && group.aborted)) {
        failures.push({ stepId: mapStep.id, itemIndex: index, error: outcome.error });
        if (map.onItemFailure === 'FAIL') {
          group.abort({
            kind: 'SIBLING_FAILED',
            message: `cancelled because item ${index} of "${mapStep.id}" failed`,
            stepId: mapStep.id,
          } satisfies AbortReason);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(map.concurrency, items.length) }, worker));
  group.dispose();

  const ordered = results.filter((r): r is JsonValue => r !== undefined);
  run.scope.steps[mapStep.id] = {
    status: failures.length ? 'FAILED' : 'COMPLETED',
    output: ordered,
    agent: null,
  };
  if (failures.length && map.onItemFailure === 'FAIL') return failed(combineFailures(failures));
  if (run.abort.aborted) return failed({ kind: 'CANCELLED', message: 'cancelled during the map phase' });

  const failureList = failures.map((f) => ({ index: f.itemIndex, error: f.error as unknown as JsonValue }));
  const outcome = await run.runStep(reduceStep, { extras: { results: ordered, failures: failureList } });
  if (outcome.status === 'FAILED') return failed(outcome.error);
  return completed(run.output(outcome.status === 'COMPLETED' ? outcome.output : null));
}

/** Groups in order of first appearance; each group is `{ key, items }`. */
function groupBy(list: JsonValue[], path: readonly string[]): JsonValue[] {
  const groups = new Map<string, { key: JsonValue; items: JsonValue[] }>();
  for (const element of list) {
    const key = (readPath(element, path) ?? null) as JsonValue;
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) {
      group = { key, items: [] };
      groups.set(id, group);
    }
    group.items.push(element);
  }
  return [...groups.values()] as unknown as JsonObject[];
}
