/**
 * Running a set of steps concurrently, shared by PARALLEL and FAN_OUT_FAN_IN.
 *
 * At most `maxConcurrency` branches are in flight. With `failFast` (the default) the first failure
 * aborts the branch group, which aborts the siblings' agent calls through their AbortSignals; branches
 * that had not started yet are recorded as skipped. Without it, every branch runs and every error is
 * reported.
 */

import type { AbortReason } from '../abort-scope.ts';
import type { ErrorInfo } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { RunExecution } from '../run-execution.ts';
import type { StepOutcome } from '../step-runner.ts';
import type { CompiledStep } from '../validate-workflow.ts';

export interface BranchResults {
  /** Outputs of the completed branches, in step order. */
  outputs: { stepId: string; output: JsonValue }[];
  /** Failures that fail the run (not `continueOnError`), the cause first. */
  failures: { stepId: string; error: ErrorInfo }[];
}

export async function runBranches(run: RunExecution, steps: readonly CompiledStep[]): Promise<BranchResults> {
  const group = run.abort.child();
  const outcomes: (StepOutcome | undefined)[] = new Array(steps.length);
  let cause: string | null = null;
  let next = 0;

  const worker = async (): Promise<void> => {
    while (next < steps.length) {
      const index = next++;
      const step = steps[index] as CompiledStep;
      if (group.aborted) {
        run.skipStep(
          step,
          'NOT_STARTED',
          `step "${step.id}" not started: ${(group.reason as AbortReason).message}`,
        );
        continue;
      }
      const outcome = await run.runStep(step, { scope: group });
      outcomes[index] = outcome;
      if (
        outcome.status === 'FAILED' &&
        !step.continueOnError &&
        !outcome.cancelled &&
        run.workflow.failFast &&
        !group.aborted
      ) {
        cause = step.id;
        group.abort({
          kind: 'SIBLING_FAILED',
          message: `cancelled because step "${step.id}" failed`,
          stepId: step.id,
        } satisfies AbortReason);
      }
    }
  };
  const workers = Math.min(run.workflow.maxConcurrency, steps.length);
  await Promise.all(Array.from({ length: workers }, worker));
  group.dispose();

  const outputs: BranchResults['outputs'] = [];
  const failures: BranchResults['failures'] = [];
  steps.forEach((step, i) => {
    const outcome = outcomes[i];
    if (outcome?.status === 'COMPLETED') outputs.push({ stepId: step.id, output: outcome.output });
    else if (outcome?.status === 'FAILED' && !step.continueOnError) {
      const failure = { stepId: step.id, error: outcome.error };
      if (step.id === cause) failures.unshift(failure);
      else failures.push(failure);
    }
  });
  return { outputs, failures };
}
