/**
 * SEQUENTIAL: steps in order. A step whose condition is false is skipped (and logged as such); a failed
 * step fails the run unless it says `continueOnError`. Output: the last completed step's output.
 */

import type { JsonValue } from '../json.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import { completed, failed } from './results.ts';

export async function runSequential(run: RunExecution): Promise<PatternResult> {
  let last: JsonValue | null = null;
  for (const step of run.workflow.steps) {
    // Cancelled or timed out: start nothing more (a continueOnError step does not mean "go on regardless").
    if (run.abort.aborted) break;
    const outcome = await run.runStep(step);
    if (outcome.status === 'COMPLETED') last = outcome.output;
    else if (outcome.status === 'FAILED' && !step.continueOnError)
      return failed(outcome.error, run.output(last));
  }
  return completed(run.output(last));
}
