/**
 * SAGA: steps in order; when one fails (or the run is cancelled or times out), the completed steps are
 * compensated in reverse order, each compensation receiving its step's output. Compensations run in
 * their own scope, so a cancelled run still undoes its work, each bounded by its own timeout. The run
 * ends COMPENSATED when every compensation succeeded, or FAILED listing every compensation failure;
 * never silently.
 */

import { AbortScope } from '../abort-scope.ts';
import type { ErrorInfo } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { StepRunRecord } from '../run.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import type { CompiledStep } from '../validate-workflow.ts';
import { completed } from './results.ts';

interface Done {
  step: CompiledStep;
  output: JsonValue;
  agent: string;
  record: StepRunRecord;
}

export async function runSaga(run: RunExecution): Promise<PatternResult> {
  const done: Done[] = [];
  let last: JsonValue | null = null;
  for (const step of run.workflow.steps) {
    const outcome = await run.runStep(step);
    if (outcome.status === 'COMPLETED') {
      last = outcome.output;
      done.push({ step, output: outcome.output, agent: outcome.agent, record: outcome.record });
    } else if (outcome.status === 'FAILED') {
      return compensate(run, step.id, outcome.error, done);
    }
  }
  return completed(run.output(last));
}

async function compensate(
  run: RunExecution,
  failedStep: string,
  cause: ErrorInfo,
  done: Done[],
): Promise<PatternResult> {
  const scope = new AbortScope();
  const compensationFailures: { stepId: string; error: ErrorInfo }[] = [];
  const compensated: string[] = [];
  for (const entry of [...done].reverse()) {
    if (!entry.step.compensation) continue;
    const result = await run.runCompensation(entry.step, entry, scope);
    if (result.ok) compensated.push(entry.step.id);
    else compensationFailures.push({ stepId: entry.step.id, error: result.error });
  }
  const details = {
    failedStep,
    cause: cause as unknown as JsonValue,
    compensated,
    compensationFailures: compensationFailures.map((f) => ({
      stepId: f.stepId,
      error: f.error as unknown as JsonValue,
    })),
  };
  if (compensationFailures.length === 0) {
    return {
      status: 'COMPENSATED',
      output: null,
      error: {
        ...cause,
        message: `step "${failedStep}" failed (${cause.message}); ${compensated.length} step(s) compensated`,
        details,
      },
    };
  }
  return {
    status: 'FAILED',
    output: null,
    error: {
      kind: 'WORKFLOW_FAILURE',
      message: `step "${failedStep}" failed (${cause.message}) and ${compensationFailures.length} compensation(s) failed: ${compensationFailures
        .map((f) => `${f.stepId} (${f.error.message})`)
        .join('; ')}`,
      details,
    },
  };
}
