/**
 * CONDITIONAL: a graph walked from `start`. After each step, its `next` decides where to go: a step id,
 * the first route whose condition holds, or `otherwise`; no match ends the run. `maxSteps` bounds the
 * number of executions so a cycle cannot spin forever. Output: the last completed step's output.
 */

import { evaluateCondition } from '../condition.ts';
import type { JsonValue } from '../json.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import type { CompiledStep } from '../validate-workflow.ts';
import { completed, failed } from './results.ts';

export async function runConditional(run: RunExecution): Promise<PatternResult> {
  const { stepsById, maxSteps, start } = run.workflow;
  let current: CompiledStep | undefined = start === null ? undefined : stepsById.get(start);
  let last: JsonValue | null = null;
  let executed = 0;
  const path: string[] = [];
  while (current) {
    if (++executed > maxSteps) {
      return failed(
        {
          kind: 'WORKFLOW_FAILURE',
          message: `stopped after ${maxSteps} step executions (maxSteps); the route loops: ${path.slice(-6).join(' → ')}`,
        },
        run.output(last),
      );
    }
    path.push(current.id);
    const outcome = await run.runStep(current);
    if (outcome.status === 'COMPLETED') last = outcome.output;
    else if (outcome.status === 'FAILED' && !current.continueOnError)
      return failed(outcome.error, run.output(last));
    if (run.abort.aborted) break;
    current = route(run, current);
  }
  return completed(run.output(last));
}

function route(run: RunExecution, step: CompiledStep): CompiledStep | undefined {
  const next = step.next;
  if (!next) return undefined;
  for (const candidate of next.when) {
    if (evaluateCondition(candidate.condition, run.scope)) return run.workflow.stepsById.get(candidate.next);
  }
  return next.otherwise === null ? undefined : run.workflow.stepsById.get(next.otherwise);
}
