/**
 * PARALLEL: eligible steps run concurrently (see `branches.ts`). A run with a failed step never reports
 * success: it fails, listing every failure, with the outputs that did complete. Output: the `merge` of
 * the branch outputs when the workflow declares one, else an object of outputs by step id.
 */

import { type JsonObject, writePath } from '../json.ts';
import { mergeOutputs } from '../merge.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import { runBranches } from './branches.ts';
import { combineFailures, completed, failed } from './results.ts';

export async function runParallel(run: RunExecution): Promise<PatternResult> {
  const { outputs, failures } = await runBranches(run, run.workflow.steps);
  const merge = run.workflow.merge;
  let output: JsonObject | ReturnType<typeof mergeOutputs>;
  if (merge) {
    output = mergeOutputs(
      merge,
      outputs.map((o) => o.output),
    );
    writePath(run.data, merge.into, output);
  } else {
    output = Object.fromEntries(outputs.map((o) => [o.stepId, o.output]));
  }
  return failures.length
    ? failed(combineFailures(failures), run.output(output))
    : completed(run.output(output));
}
