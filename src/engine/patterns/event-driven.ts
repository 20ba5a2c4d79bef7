/**
 * EVENT_DRIVEN: choreography inside a run. The run publishes its trigger event with the input; a step
 * fires once, when every event it listens to (`on`) has been published (`gather` times for a single
 * event), and publishes `emit` with its output when it completes. The run completes when a `terminal`
 * step completes (steps still in flight are cancelled), or when nothing is in flight and nothing can
 * fire any more: completed if no terminal step was declared, failed (stalled) otherwise. The workflow
 * timeout bounds it all.
 */

import type { AbortReason } from '../abort-scope.ts';
import type { ErrorInfo } from '../errors.ts';
import type { DomainEvent } from '../events.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import type { PatternResult, RunExecution } from '../run-execution.ts';
import type { CompiledStep } from '../validate-workflow.ts';
import { completed, failed } from './results.ts';

export type PublishDomainEvent = (event: DomainEvent) => void;

export function createEventDrivenRunner(publish: PublishDomainEvent) {
  return (run: RunExecution): Promise<PatternResult> => runEventDriven(run, publish);
}

async function runEventDriven(run: RunExecution, publish: PublishDomainEvent): Promise<PatternResult> {
  const steps = run.workflow.steps;
  const published = new Map<string, JsonValue[]>();
  const fired = new Set<string>();
  const group = run.abort.child();
  let inFlight = 0;
  let last: JsonValue | null = null;
  let settle!: (result: PatternResult) => void;
  const done = new Promise<PatternResult>((resolve) => {
    settle = resolve;
  });
  let result: PatternResult | null = null;

  const end = (outcome: PatternResult, why: string) => {
    if (result) return;
    result = outcome;
    group.abort({ kind: 'CANCELLED', message: why } satisfies AbortReason);
    if (inFlight === 0) settle(outcome);
  };

  const ready = (step: CompiledStep) =>
    step.on.length === 1
      ? (published.get(step.on[0] as string)?.length ?? 0) >= step.gather
      : step.on.every((name) => published.has(name));

  const emit = (name: string, payload: JsonValue, by: string | null) => {
    const list = published.get(name) ?? [];
    list.push(payload);
    published.set(name, list);
    run.emit('EVENT_EMITTED', by, null, null, `event "${name}" published by ${by ?? 'the trigger'}`, {
      event: name,
      publishedBy: by,
      publication: list.length,
    });
    publish({
      name,
      payload: isJsonObject(payload) ? payload : { value: payload },
      at: Date.now(),
      runId: run.id,
    });
    for (const step of steps) if (!fired.has(step.id) && step.on.includes(name) && ready(step)) fire(step);
  };

  const fire = (step: CompiledStep) => {
    if (result) return;
    fired.add(step.id);
    inFlight++;
    const event: JsonObject =
      step.on.length === 1
        ? (() => {
            const payloads = published.get(step.on[0] as string) ?? [];
            return { name: step.on[0] as string, payload: payloads[payloads.length - 1] ?? null, payloads };
          })()
        : {
            names: [...step.on],
            payloads: Object.fromEntries(step.on.map((n) => [n, (published.get(n) ?? []).at(-1) ?? null])),
          };
    run.runStep(step, { extras: { event }, scope: group }).then((outcome) => {
      inFlight--;
      if (outcome.status === 'COMPLETED') {
        last = outcome.output;
        if (step.terminal) end(completed(run.output(outcome.output)), `terminal step "${step.id}" completed`);
        // A terminal step's event is still published (for observers and the domain bus); with the result
        // decided, it fires no further step.
        if (step.emit) emit(step.emit, outcome.output, step.id);
      } else if (outcome.status === 'FAILED' && !step.continueOnError && !result) {
        end(failed(outcome.error, run.output(last)), `step "${step.id}" failed`);
      }
      if (result) {
        if (inFlight === 0) settle(result);
      } else if (inFlight === 0) {
        end(quiescent(run, fired, published, last), 'nothing left to fire');
      }
    });
  };

  emit(run.workflow.trigger as string, run.input, null);
  if (inFlight === 0 && !result) end(quiescent(run, fired, published, last), 'nothing left to fire');
  const outcome = await done;
  group.dispose();
  return outcome;
}

function quiescent(
  run: RunExecution,
  fired: Set<string>,
  published: Map<string, JsonValue[]>,
  last: JsonValue | null,
): PatternResult {
  const terminals = run.workflow.steps.filter((s) => s.terminal);
  if (terminals.length === 0) return completed(run.output(last));
  const waiting = run.workflow.steps
    .filter((s) => !fired.has(s.id))
    .map((s) =>
      s.on.length === 1
        ? `"${s.id}" waits for "${s.on[0]}" (${published.get(s.on[0] as string)?.length ?? 0} of ${s.gather})`
        : `"${s.id}" waits for ${s.on
            .filter((n) => !published.has(n))
            .map((n) => `"${n}"`)
            .join(', ')}`,
    );
  const error: ErrorInfo = {
    kind: 'WORKFLOW_FAILURE',
    message: `the choreography stalled: nothing is running and nothing can fire, and terminal step ${terminals
      .map((s) => `"${s.id}"`)
      .join(' or ')} never completed${waiting.length ? `; ${waiting.join('; ')}` : ''}`,
  };
  return failed(error, run.output(last));
}
