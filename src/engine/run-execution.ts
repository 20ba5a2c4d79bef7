/**
 * One run in flight: its state, its event sequence, its abort scope, and how it ends.
 *
 * The run owns the seq counter, so its events are numbered 1, 2, 3, ... in the order they happen, and
 * `finish` is the only place a terminal event is appended, exactly once. The workflow timeout and
 * `cancel` abort the run's scope, which aborts every agent call in flight below it. Patterns drive the
 * steps; the run turns their result (or the abort) into the final status.
 */

import { type AbortReason, AbortScope, isAbortReason } from './abort-scope.ts';
import type { DeadlineScheduler } from './deadlines.ts';
import type { ErrorInfo } from './errors.ts';
import { type RunEventType, type RunUpdate, TERMINAL_EVENT_OF, type TerminalRunStatus } from './events.ts';
import { type JsonObject, type JsonValue, readPath } from './json.ts';
import type { RunRecord, StepRunRecord } from './run.ts';
import type { RunEventLog } from './run-event-log.ts';
import type { RunStatistics } from './statistics.ts';
import type { StepHost, StepOptions, StepOutcome, StepResultView, StepRunner } from './step-runner.ts';
import type { CompiledStep, CompiledWorkflow } from './validate-workflow.ts';

/** What a pattern decides; cancellation and timeouts are decided by the run. */
export interface PatternResult {
  status: 'COMPLETED' | 'FAILED' | 'COMPENSATED';
  output: JsonValue | null;
  error: ErrorInfo | null;
}

export interface RunServices {
  log: RunEventLog;
  steps: StepRunner;
  statistics: RunStatistics;
  deadlines: DeadlineScheduler;
}

export type PatternRunner = (run: RunExecution) => Promise<PatternResult>;

export class RunExecution implements StepHost {
  readonly id: string;
  readonly workflow: CompiledWorkflow;
  readonly record: RunRecord;
  readonly input: JsonObject;
  readonly data: JsonObject = {};
  readonly scope: { input: JsonObject; data: JsonObject; steps: Record<string, StepResultView> };
  readonly abort = new AbortScope();
  /** Every step execution so far, in execution order. */
  readonly stepRecords: StepRunRecord[] = [];
  /** Resolves with the final record once the terminal event is committed and published. */
  readonly finished: Promise<RunRecord>;
  /** Resolves once the run has ended (its terminal event recorded, not necessarily written yet). */
  readonly ended: Promise<void>;
  /** Resolves once the run and its RUN_STARTED event are stored: from then on every instance finds it. */
  readonly stored: Promise<void>;

  readonly #services: RunServices;
  #seq = 0;
  #executions = 0;
  #resolveFinished!: (record: RunRecord) => void;
  #resolveEnded!: () => void;
  #resolveStored!: () => void;

  constructor(options: {
    id: string;
    workflow: CompiledWorkflow;
    input: JsonObject;
    triggeredBy: string | null;
    services: RunServices;
    startedAt: number;
  }) {
    this.id = options.id;
    this.workflow = options.workflow;
    this.input = options.input;
    this.#services = options.services;
    this.scope = { input: this.input, data: this.data, steps: {} };
    this.record = {
      id: options.id,
      workflowId: options.workflow.id,
      workflowVersion: options.workflow.version,
      pattern: options.workflow.pattern,
      status: 'RUNNING',
      input: options.input,
      output: null,
      error: null,
      startedAt: options.startedAt,
      finishedAt: null,
      durationMs: null,
      triggeredBy: options.triggeredBy,
    };
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.stored = new Promise((resolve) => {
      this.#resolveStored = resolve;
    });
  }

  get lastSeq(): number {
    return this.#seq;
  }

  get isFinished(): boolean {
    return this.record.status !== 'RUNNING';
  }

  /** Records the start and drives the pattern to the end; resolves when the run has ended. */
  async run(pattern: PatternRunner): Promise<void> {
    const { log, statistics } = this.#services;
    log.runChanged(this.record);
    this.emit(
      'RUN_STARTED',
      null,
      null,
      null,
      `run of ${this.workflow.id} v${this.workflow.version} started`,
      {
        workflowId: this.workflow.id,
        workflowVersion: this.workflow.version,
        pattern: this.workflow.pattern,
        triggeredBy: this.record.triggeredBy,
      },
    );
    this.#update(null);
    log.afterFlush(this.#resolveStored);
    statistics.runStarted(this.record.startedAt);

    const deadline = this.#services.deadlines.schedule(this.workflow.timeoutMs, this);
    let result: PatternResult;
    try {
      result = await pattern(this);
    } catch (error) {
      // A bug in a pattern must still end the run with a terminal event, never leave it RUNNING.
      result = {
        status: 'FAILED',
        output: null,
        error: {
          kind: 'WORKFLOW_FAILURE',
          message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    } finally {
      deadline.cancel();
    }
    if (this.abort.aborted) {
      const reason = this.abort.reason;
      const kind = isAbortReason(reason) ? reason.kind : 'CANCELLED';
      const status: TerminalRunStatus =
        kind === 'TIMED_OUT' ? 'TIMED_OUT' : kind === 'SHUTDOWN' ? 'INTERRUPTED' : 'CANCELLED';
      const message = isAbortReason(reason) ? reason.message : 'cancelled';
      const error: ErrorInfo = { kind: kind === 'TIMED_OUT' ? 'TIMEOUT' : 'CANCELLED', message };
      // A saga compensated on the way out reports what its compensations did.
      if (result.error?.details !== undefined) error.details = result.error.details;
      this.finish(status, result.output, error);
    } else {
      this.finish(result.status, result.output, result.error);
    }
  }

  /** The workflow timeout passed. */
  expire(): void {
    this.abort.abort({
      kind: 'TIMED_OUT',
      message: `the workflow timeout of ${this.workflow.timeoutMs} ms passed`,
    } satisfies AbortReason);
  }

  /** Aborts everything in flight; the run then ends CANCELLED, TIMED_OUT or INTERRUPTED per the reason. */
  cancel(reason: AbortReason): void {
    this.abort.abort(reason);
  }

  runStep(step: CompiledStep, options?: StepOptions): Promise<StepOutcome> {
    return this.#services.steps.runStep(this, step, options);
  }

  runCompensation(
    step: CompiledStep,
    completed: { output: JsonValue; agent: string; record: StepRunRecord },
    scope: AbortScope,
  ): Promise<{ ok: true } | { ok: false; error: ErrorInfo }> {
    return this.#services.steps.runCompensation(this, step, completed, scope);
  }

  /** The run output: the workflow's `output` mapping over the scope, or the pattern's default. */
  output(defaultOutput: JsonValue | null): JsonValue | null {
    const mapping = this.workflow.output;
    if (!mapping) return defaultOutput;
    const output: JsonObject = {};
    for (const [key, path] of mapping) {
      const value = readPath(this.scope, path);
      if (value !== undefined) output[key] = value as JsonValue;
    }
    return output;
  }

  openStep(stepId: string, action: string, itemIndex: number | null): StepRunRecord {
    const record: StepRunRecord = {
      runId: this.id,
      execution: ++this.#executions,
      stepId,
      itemIndex,
      agent: null,
      action,
      status: 'RUNNING',
      attempts: 0,
      startedAt: Date.now(),
      finishedAt: null,
      durationMs: null,
      output: null,
      error: null,
      attemptLog: [],
    };
    this.stepRecords.push(record);
    this.#services.log.stepChanged(record);
    return record;
  }

  stepChanged(record: StepRunRecord): void {
    record.attempts = record.attemptLog.length;
    this.#services.log.stepChanged(record);
  }

  /** Records a step that was never started (a failed-fast sibling waiting for a slot). */
  skipStep(step: CompiledStep, reason: string, message: string, itemIndex: number | null = null): void {
    const record = this.openStep(step.id, step.action, itemIndex);
    record.status = 'SKIPPED';
    record.finishedAt = record.startedAt;
    record.durationMs = 0;
    this.scope.steps[step.id] = { status: 'SKIPPED', output: null, agent: null };
    this.emit('STEP_SKIPPED', step.id, null, null, message, {
      execution: record.execution,
      itemIndex,
      reason,
    });
    this.#services.statistics.stepFinished('SKIPPED');
  }

  emit(
    type: RunEventType,
    stepId: string | null,
    agent: string | null,
    attempt: number | null,
    message: string,
    data: JsonObject | null,
  ): void {
    this.#services.log.append({
      runId: this.id,
      seq: ++this.#seq,
      type,
      at: Date.now(),
      stepId,
      agent,
      attempt,
      message,
      data,
    });
  }

  /** Ends the run with exactly one terminal event; later calls are ignored. */
  finish(status: TerminalRunStatus, output: JsonValue | null, error: ErrorInfo | null): void {
    if (this.record.status !== 'RUNNING') return;
    const now = Date.now();
    const record = this.record;
    record.status = status;
    record.output = output;
    record.error = error;
    record.finishedAt = now;
    record.durationMs = now - record.startedAt;
    this.abort.dispose();
    const { log, statistics } = this.#services;
    log.runChanged(record);
    const data: JsonObject = { status, durationMs: record.durationMs };
    if (error) data.error = error as unknown as JsonObject;
    if (output !== null) data.output = output;
    this.emit(
      TERMINAL_EVENT_OF[status],
      null,
      null,
      null,
      `run ${status.toLowerCase().replace('_', ' ')} in ${record.durationMs} ms${error ? `: ${error.message}` : ''}`,
      data,
    );
    this.#update('RUNNING');
    statistics.runFinished(record.pattern, status, record.durationMs);
    log.afterFlush(() => this.#resolveFinished({ ...record }));
    this.#resolveEnded();
  }

  #update(previous: 'RUNNING' | null): void {
    const update: RunUpdate = {
      runId: this.id,
      workflowId: this.workflow.id,
      workflowVersion: this.workflow.version,
      pattern: this.workflow.pattern,
      status: this.record.status,
      previousStatus: previous,
      at: Date.now(),
      error: this.record.error,
    };
    this.#services.log.runUpdate(update);
  }
}
