/**
 * Executing one step: condition, agent resolution, payload, attempts, fallback, outcome.
 *
 * Retries follow the step's policy (the engine default with the step's overrides): exponential backoff
 * with jitter from cockatiel's ExponentialBackoff, waits that end at once when the step's scope is
 * aborted, error kinds that are never retried, and no waiting at all when the breaker is open. The
 * loop is ours rather than cockatiel's RetryPolicy because each retry is an event of this execution
 * (with its delay), and cockatiel's policy waits out its delay even after cancellation. When the last
 * attempt fails, the fallback agent gets its own series. Every attempt is recorded.
 */

import {
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  type IBackoff,
  type IExponentialBackoffOptions,
} from 'cockatiel';
import type { AgentHealth, AgentRegistry } from '../agents/registry.ts';
import type { AbortScope } from './abort-scope.ts';
import { type AgentInvocation, type AgentInvoker, classify } from './agent-invoker.ts';
import { evaluateCondition } from './condition.ts';
import type { RetryPolicy } from './definition.ts';
import { type ErrorInfo, OrquestraError } from './errors.ts';
import type { RunEventType, StepStatus } from './events.ts';
import { type CompiledPath, type JsonObject, type JsonValue, readPath, writePath } from './json.ts';
import type { StepAttempt, StepRunRecord } from './run.ts';
import type { RunStatistics } from './statistics.ts';
import type { CompiledStep } from './validate-workflow.ts';

/** What a running run offers the step runner; implemented by RunExecution. */
export interface StepHost {
  readonly id: string;
  readonly input: JsonObject;
  readonly data: JsonObject;
  readonly scope: { input: JsonObject; data: JsonObject; steps: Record<string, StepResultView> };
  readonly abort: AbortScope;
  openStep(stepId: string, action: string, itemIndex: number | null): StepRunRecord;
  stepChanged(record: StepRunRecord): void;
  emit(
    type: RunEventType,
    stepId: string | null,
    agent: string | null,
    attempt: number | null,
    message: string,
    data: JsonObject | null,
  ): void;
}

/** What later steps can read of a step under `steps.<id>`. */
export interface StepResultView {
  status: StepStatus;
  output: JsonValue | null;
  agent: string | null;
}

export type StepOutcome =
  | { status: 'COMPLETED'; output: JsonValue; agent: string; record: StepRunRecord }
  | { status: 'SKIPPED'; record: StepRunRecord }
  | { status: 'FAILED'; error: ErrorInfo; cancelled: boolean; agent: string | null; record: StepRunRecord };

export interface StepOptions {
  /** Extra scope entries for this execution (`item`/`index`, `results`, `branches`, `event`, ...); also added to the default payload. */
  extras?: Record<string, JsonValue>;
  itemIndex?: number;
  /** Scope to run under; default the run's. */
  scope?: AbortScope;
}

interface SeriesResult {
  ok: boolean;
  output?: JsonValue;
  error?: OrquestraError;
  cancelled?: boolean;
}

/** One agent's series of attempts for a step; it is also the invocation the invoker receives. */
interface Series extends AgentInvocation {
  policy: RetryPolicy;
  fallback: boolean;
  attempts: StepAttempt[];
  /** The run to report timeouts and retries to; null for calls outside a run. */
  host: StepHost | null;
  execution: number;
  /** Attempts made by this series (the step's attempt log also holds an earlier agent's). */
  tries: number;
  backoff: IBackoff<unknown> | null;
}

export interface StepRunnerOptions {
  registry: AgentRegistry;
  invoker: AgentInvoker;
  statistics: RunStatistics;
  health: AgentHealth;
  retryPolicy: () => RetryPolicy;
}

export class StepRunner {
  readonly #options: StepRunnerOptions;

  constructor(options: StepRunnerOptions) {
    this.#options = options;
  }

  /** Runs one execution of a workflow step and records it. Never throws; failures are outcomes. */
  async runStep(run: StepHost, step: CompiledStep, options?: StepOptions): Promise<StepOutcome> {
    const extras = options?.extras;
    const scope = extras ? { ...run.scope, ...extras } : run.scope;
    const record = run.openStep(step.id, step.action, options?.itemIndex ?? null);
    const execution = record.execution;
    const itemIndex = record.itemIndex;

    if (step.condition && !evaluateCondition(step.condition, scope)) {
      this.#close(run, record, 'SKIPPED', null, null);
      run.scope.steps[step.id] = { status: 'SKIPPED', output: null, agent: null };
      run.emit('STEP_SKIPPED', step.id, null, null, `step "${step.id}" skipped: its condition is not met`, {
        execution,
        itemIndex,
        reason: 'CONDITION_FALSE',
        condition: step.definition.condition as JsonValue,
      });
      this.#options.statistics.stepFinished('SKIPPED');
      return { status: 'SKIPPED', record };
    }

    const payload = buildPayload(step.inputMapping, scope, run, extras);
    let agent = step.agent;
    let selection: JsonObject | null = null;
    if (agent === null) {
      const best = this.#options.registry.selectBestAgent(step.capabilities ?? [], {
        action: step.action,
        health: this.#options.health,
      });
      if (best) {
        agent = best.agent.name;
        selection = { capabilities: [...(step.capabilities ?? [])], score: round(best.score) };
      }
    }
    const stepScope = options?.scope ?? run.abort;
    const policy = step.retry
      ? { ...this.#options.retryPolicy(), ...step.retry }
      : this.#options.retryPolicy();
    let result: SeriesResult;
    if (agent === null) {
      // Every execution opens with STEP_STARTED, even one that no agent can take (agent null), so that
      // its STEP_FALLBACK / STEP_FAILED always belong to a started step.
      run.emit('STEP_STARTED', step.id, null, null, `step "${step.id}" started: no agent available`, {
        execution,
        itemIndex,
        action: step.action,
      });
      result = {
        ok: false,
        error: new OrquestraError(
          'NO_AGENT_AVAILABLE',
          `no available agent offers ${(step.capabilities ?? []).map((c) => `"${c}"`).join(', ')} with action "${step.action}"`,
        ),
      };
    } else {
      record.agent = agent;
      const started: JsonObject = { execution, itemIndex, action: step.action };
      if (selection) started.selection = selection;
      run.emit('STEP_STARTED', step.id, agent, 1, `step "${step.id}" started on ${agent}`, started);
      // The first attempt is #series' first iteration, inlined: one async frame less on every step.
      const series = this.#stepSeries(run, step, record, agent, payload, policy, stepScope, false);
      const attempt = startAttempt(series);
      try {
        const output = await this.#options.invoker.invoke(series);
        finishAttempt(attempt, null);
        result = { ok: true, output };
      } catch (raw) {
        result = (await this.#afterFailure(series, attempt, raw)) ?? (await this.#series(series));
      }
    }
    if (
      !result.ok &&
      !result.cancelled &&
      step.fallbackAgent !== null &&
      step.fallbackAgent !== agent &&
      !stepScope.aborted
    ) {
      const error = result.error as OrquestraError;
      run.emit(
        'STEP_FALLBACK',
        step.id,
        step.fallbackAgent,
        record.attemptLog.length + 1,
        `step "${step.id}" falls back to ${step.fallbackAgent} after: ${error.message}`,
        {
          execution,
          itemIndex,
          from: agent,
          to: step.fallbackAgent,
          error: error.toInfo() as unknown as JsonObject,
        },
      );
      record.agent = step.fallbackAgent;
      result = await this.#series(
        this.#stepSeries(run, step, record, step.fallbackAgent, payload, policy, stepScope, true),
      );
    }
    const finalAgent = record.agent;

    if (result.ok) {
      const output = result.output as JsonValue;
      this.#close(run, record, 'COMPLETED', output, null);
      if (step.outputMapping) applyOutputMapping(step.outputMapping, output, run.data);
      run.scope.steps[step.id] = { status: 'COMPLETED', output, agent: finalAgent };
      run.emit(
        'STEP_COMPLETED',
        step.id,
        finalAgent,
        record.attempts,
        `step "${step.id}" completed on ${finalAgent} in ${record.durationMs} ms`,
        { execution, itemIndex, durationMs: record.durationMs, attempts: record.attempts, output },
      );
      this.#options.statistics.stepFinished('COMPLETED');
      return { status: 'COMPLETED', output, agent: finalAgent as string, record };
    }

    const error = (result.error as OrquestraError).toInfo();
    const status: StepStatus = result.cancelled
      ? 'CANCELLED'
      : error.kind === 'TIMEOUT'
        ? 'TIMED_OUT'
        : 'FAILED';
    this.#close(run, record, status, null, error);
    run.scope.steps[step.id] = { status, output: null, agent: finalAgent };
    run.emit(
      'STEP_FAILED',
      step.id,
      finalAgent,
      record.attempts || null,
      `step "${step.id}" ${describeFailure(status)}: ${error.message}`,
      {
        execution,
        itemIndex,
        status,
        durationMs: record.durationMs,
        attempts: record.attempts,
        error: error as unknown as JsonObject,
        continueOnError: step.continueOnError,
      },
    );
    this.#options.statistics.stepFinished('FAILED');
    return { status: 'FAILED', error, cancelled: result.cancelled === true, agent: finalAgent, record };
  }

  /**
   * Undoes a completed SAGA step: calls its compensation action with the step's output, under `scope`
   * (not the run's, which may already be aborted). Records a separate execution and marks the original
   * step COMPENSATED or COMPENSATION_FAILED.
   */
  async runCompensation(
    run: StepHost,
    step: CompiledStep,
    completed: { output: JsonValue; agent: string; record: StepRunRecord },
    scope: AbortScope,
  ): Promise<{ ok: true } | { ok: false; error: ErrorInfo }> {
    const compensation = step.compensation;
    if (!compensation) return { ok: true };
    const agent = compensation.agent ?? completed.agent;
    const record = run.openStep(step.id, compensation.action, null);
    record.agent = agent;
    const extras = { output: completed.output };
    const payload = buildPayload(compensation.inputMapping, { ...run.scope, ...extras }, run, extras);
    run.emit(
      'COMPENSATION_STARTED',
      step.id,
      agent,
      1,
      `compensating step "${step.id}" with ${agent}.${compensation.action}`,
      {
        execution: record.execution,
        compensates: completed.record.execution,
        action: compensation.action,
      },
    );
    const policy = step.retry
      ? { ...this.#options.retryPolicy(), ...step.retry }
      : this.#options.retryPolicy();
    const series = this.#stepSeries(run, step, record, agent, payload, policy, scope, false);
    series.action = compensation.action;
    series.timeoutMs = compensation.timeoutMs;
    const result = await this.#series(series);
    if (result.ok) {
      this.#close(run, record, 'COMPLETED', result.output as JsonValue, null);
      completed.record.status = 'COMPENSATED';
      run.stepChanged(completed.record);
      run.emit(
        'COMPENSATION_COMPLETED',
        step.id,
        agent,
        record.attempts,
        `step "${step.id}" compensated in ${record.durationMs} ms`,
        {
          execution: record.execution,
          compensates: completed.record.execution,
          durationMs: record.durationMs,
          output: result.output as JsonValue,
        },
      );
      return { ok: true };
    }
    const error = (result.error as OrquestraError).toInfo();
    this.#close(run, record, result.cancelled ? 'CANCELLED' : 'FAILED', null, error);
    completed.record.status = 'COMPENSATION_FAILED';
    run.stepChanged(completed.record);
    run.emit(
      'COMPENSATION_FAILED',
      step.id,
      agent,
      record.attempts,
      `compensation of step "${step.id}" failed: ${error.message}`,
      {
        execution: record.execution,
        compensates: completed.record.execution,
        error: error as unknown as JsonObject,
      },
    );
    return { ok: false, error };
  }

  /**
   * A direct call outside any run (`executeAgent`): same retries, breaker, timeout and fallback, no
   * events. Resolves with the output or rejects with an OrquestraError.
   */
  async callAgent(request: {
    agent: string;
    action: string;
    payload: JsonObject;
    timeoutMs: number;
    policy: RetryPolicy;
    fallbackAgent: string | null;
    scope: AbortScope;
  }): Promise<{ agent: string; output: JsonValue; attempts: StepAttempt[] }> {
    const attempts: StepAttempt[] = [];
    const base = {
      action: request.action,
      payload: request.payload,
      timeoutMs: request.timeoutMs,
      policy: request.policy,
    };
    const common = {
      ...base,
      scope: request.scope,
      runId: null,
      stepId: null,
      attempt: 0,
      attempts,
      host: null,
      execution: 0,
      tries: 0,
      backoff: null,
    };
    let result = await this.#series({ ...common, agent: request.agent, fallback: false });
    let agent = request.agent;
    if (
      !result.ok &&
      !result.cancelled &&
      request.fallbackAgent !== null &&
      request.fallbackAgent !== request.agent
    ) {
      agent = request.fallbackAgent;
      result = await this.#series({ ...common, agent, fallback: true });
    }
    if (!result.ok) throw result.error as OrquestraError;
    return { agent, output: result.output as JsonValue, attempts };
  }

  #stepSeries(
    run: StepHost,
    step: CompiledStep,
    record: StepRunRecord,
    agent: string,
    payload: JsonObject,
    policy: RetryPolicy,
    scope: AbortScope,
    fallback: boolean,
  ): Series {
    return {
      agent,
      action: step.action,
      payload,
      timeoutMs: step.timeoutMs,
      policy,
      fallback,
      scope,
      runId: run.id,
      stepId: step.id,
      attempt: 0,
      attempts: record.attemptLog,
      host: run,
      execution: record.execution,
      tries: 0,
      backoff: null,
    };
  }

  async #series(series: Series): Promise<SeriesResult> {
    for (;;) {
      const attempt = startAttempt(series);
      try {
        const output = await this.#options.invoker.invoke(series);
        finishAttempt(attempt, null);
        return { ok: true, output };
      } catch (raw) {
        const result = await this.#afterFailure(series, attempt, raw);
        if (result !== null) return result;
      }
    }
  }

  /**
   * Records a failed attempt and decides: a final result, or null once the backoff delay has passed
   * and the next attempt may start.
   */
  async #afterFailure(series: Series, attempt: StepAttempt, raw: unknown): Promise<SeriesResult | null> {
    const error = classify(raw, series);
    finishAttempt(attempt, error.toInfo());
    const attemptNumber = attempt.attempt;
    // The series' own timeout: a compensation runs with its own, not the step's.
    if (error.kind === 'TIMEOUT') {
      series.host?.emit('STEP_TIMED_OUT', series.stepId, series.agent, attemptNumber, error.message, {
        execution: series.execution,
        timeoutMs: series.timeoutMs,
      });
    }
    if (error.kind === 'CANCELLED' || series.scope.aborted)
      return { ok: false, error: cancellation(series.scope, error), cancelled: true };
    if (error.kind === 'CIRCUIT_OPEN') return { ok: false, error };
    series.tries++;
    if (series.tries >= series.policy.maxAttempts || series.policy.nonRetryableKinds.includes(error.kind))
      return { ok: false, error };
    series.backoff = series.backoff ? series.backoff.next(undefined) : createBackoff(series.policy).next();
    const delayMs = Math.round(series.backoff.duration);
    series.host?.emit(
      'STEP_RETRYING',
      series.stepId,
      series.agent,
      attemptNumber + 1,
      `step "${series.stepId}" retries on ${series.agent} in ${delayMs} ms after: ${error.message}`,
      { execution: series.execution, delayMs, error: error.toInfo() as unknown as JsonObject },
    );
    if (!(await sleep(delayMs, series.scope))) {
      return { ok: false, error: cancellation(series.scope, error), cancelled: true };
    }
    return null;
  }

  #close(
    run: StepHost,
    record: StepRunRecord,
    status: StepStatus,
    output: JsonValue | null,
    error: ErrorInfo | null,
  ): void {
    const now = Date.now();
    record.status = status;
    record.output = output;
    record.error = error;
    record.finishedAt = now;
    record.durationMs = now - record.startedAt;
    run.stepChanged(record);
  }
}

/** Opens the series' next attempt in the step's attempt log. */
function startAttempt(series: Series): StepAttempt {
  const attempt: StepAttempt = {
    attempt: series.attempts.length + 1,
    agent: series.agent,
    fallback: series.fallback,
    startedAt: Date.now(),
    finishedAt: null,
    durationMs: null,
    error: null,
  };
  series.attempts.push(attempt);
  series.attempt = attempt.attempt;
  return attempt;
}

function finishAttempt(attempt: StepAttempt, error: ErrorInfo | null): void {
  const now = Date.now();
  attempt.finishedAt = now;
  attempt.durationMs = now - attempt.startedAt;
  attempt.error = error;
}

function cancellation(scope: AbortScope, fallback: OrquestraError): OrquestraError {
  const reason = scope.reason as { message?: unknown } | undefined;
  const message = typeof reason?.message === 'string' ? reason.message : fallback.message;
  return new OrquestraError(
    'CANCELLED',
    message,
    fallback.agent === undefined ? {} : { agent: fallback.agent },
  );
}

/** Exponential backoff: `initialDelayMs · multiplier^(n-2)` capped at `maxDelayMs`, decorrelated jitter when asked. */
export function createBackoff(policy: RetryPolicy): ExponentialBackoff<unknown> {
  const options: Partial<IExponentialBackoffOptions<unknown>> = {
    initialDelay: policy.initialDelayMs,
    maxDelay: policy.maxDelayMs,
    exponent: policy.multiplier,
  };
  options.generator = policy.jitter
    ? (decorrelatedJitterGenerator as IExponentialBackoffOptions<unknown>['generator'])
    : (state: unknown, o: IExponentialBackoffOptions<unknown>) => {
        const n = typeof state === 'number' ? state : 0;
        return [Math.min(o.maxDelay, o.initialDelay * o.exponent ** n), n + 1];
      };
  return new ExponentialBackoff(options);
}

/** Waits `ms`; resolves false at once if `scope` is aborted first. */
function sleep(ms: number, scope: AbortScope): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.dispose();
      resolve(true);
    }, ms);
    const waiting = scope.child(() => {
      clearTimeout(timer);
      resolve(false);
    });
    if (waiting.aborted) {
      clearTimeout(timer);
      resolve(false);
    }
  });
}

/** The message to an agent: the mapped keys, or the run's input and data (plus extras) by default. */
export function buildPayload(
  mapping: readonly (readonly [string, CompiledPath])[] | null,
  scope: unknown,
  run: { input: JsonObject; data: JsonObject },
  extras: Record<string, JsonValue> | undefined,
): JsonObject {
  if (mapping) {
    const payload: JsonObject = {};
    for (const [key, path] of mapping) {
      const value = readPath(scope, path);
      if (value !== undefined) payload[key] = value as JsonValue;
    }
    return payload;
  }
  return extras ? { ...run.input, ...run.data, ...extras } : { ...run.input, ...run.data };
}

function applyOutputMapping(
  mapping: readonly (readonly [CompiledPath, CompiledPath])[],
  output: JsonValue,
  data: JsonObject,
): void {
  for (const [target, source] of mapping) {
    const value = readPath(output, source);
    if (value !== undefined) writePath(data, target, value);
  }
}

function describeFailure(status: StepStatus): string {
  return status === 'CANCELLED' ? 'was cancelled' : status === 'TIMED_OUT' ? 'timed out' : 'failed';
}

const round = (n: number) => Math.round(n * 100) / 100;
