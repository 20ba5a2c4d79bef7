/**
 * FAN_OUT_FAN_IN: the branches run as in PARALLEL, then the fan-in combines them: the built-in `merge`
 * (written to the run's data, `merged` by default), and/or a fan-in step (an agent) that receives every
 * branch's output as `branches` (by step id) and the merge as `merged`. A failed branch fails the run
 * before the fan-in. Output: the fan-in step's output, else the merge (also when a `continueOnError`
 * fan-in step failed).
 */

import { type JsonObject, type JsonValue, writePath } from '../json.ts';
import { mergeOutputs } from '../merge.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import { runBranches } from './branches.ts';
import { combineFailures, completed, failed } from './results.ts';

export async function runFanOutFanIn(run: RunExecution): Promise<PatternResult> {
  const fanInStep = run.workflow.steps.find((s) => s.fanIn) ?? null;
  const branchSteps = run.workflow.steps.filter((s) => !s.fanIn);
  const { outputs, failures } = await runBranches(run, branchSteps);
  const branches: JsonObject = Object.fromEntries(outputs.map((o) => [o.stepId, o.output]));
  if (failures.length) return failed(combineFailures(failures), run.output(branches));

  let merged: JsonValue | null = null;
  const merge = run.workflow.merge;
  if (merge) {
    merged = mergeOutputs(
      merge,
      outputs.map((o) => o.output),
    );
    writePath(run.data, merge.into, merged);
  }
  if (!fanInStep) return completed(run.output(merged));

  const outcome = await run.runStep(fanInStep, {
    extras: merged === null ? { branches } : { branches, merged },
  });
  if (outcome.status === 'FAILED' && !fanInStep.continueOnError)
    return failed(outcome.error, run.output(merged));
  return completed(run.output(outcome.status === 'COMPLETED' ? outcome.output : merged));
}
