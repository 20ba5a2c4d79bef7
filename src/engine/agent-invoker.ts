/**
 * One call to one agent, with its guards.
 *
 * Every agent call of the engine (a workflow step, a compensation, a direct `executeAgent`) goes
 * through here: the agent's bulkhead (optional), its circuit breaker, and a deadline that aborts the
 * call's AbortSignal and rejects at once, even when the agent ignores the signal. Errors come out
 * classified as {@link OrquestraError}s, and the call's latency and outcome feed the agent statistics
 * that best-agent selection reads.
 */

import {
  type BulkheadPolicy,
  bulkhead,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTaskCancelledError,
} from 'cockatiel';
import { type Agent, type AgentContext, type AgentReply, isAgentError } from '../agents/agent.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import { type AbortReason, AbortScope, isAbortReason } from './abort-scope.ts';
import type { CircuitBreakerRegistry } from './circuit-breakers.ts';
import type { Deadline, DeadlineScheduler } from './deadlines.ts';
import { isOrquestraError, OrquestraError } from './errors.ts';
import { type JsonObject, type JsonValue, toJson } from './json.ts';
import type { RunStatistics } from './statistics.ts';

export interface AgentInvocation {
  agent: string;
  action: string;
  payload: JsonObject;
  runId: string | null;
  stepId: string | null;
  attempt: number;
  timeoutMs: number;
  /** The scope the call lives in; aborting it (or any ancestor) aborts the call. */
  scope: AbortScope;
}

export interface BulkheadSettings {
  /** Calls of this agent in flight at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond it, calls fail with BULKHEAD_FULL. Default 0. */
  maxQueued: number;
}

/** Errors that say nothing about the agent's health: they neither trip its breaker nor count in its statistics. */
const NOT_THE_AGENTS_FAULT = new Set([
  'INVALID_INPUT',
  'ACTION_NOT_SUPPORTED',
  'AGENT_NOT_FOUND',
  'CANCELLED',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
]);

export class AgentInvoker {
  readonly #registry: AgentRegistry;
  readonly #breakers: CircuitBreakerRegistry;
  readonly #deadlines: DeadlineScheduler;
  readonly #statistics: RunStatistics;
  readonly #bulkheads = new Map<string, { settings: BulkheadSettings; policy: BulkheadPolicy }>();
  readonly #actions = new WeakMap<Agent, ReadonlySet<string>>();

  constructor(options: {
    registry: AgentRegistry;
    breakers: CircuitBreakerRegistry;
    deadlines: DeadlineScheduler;
    statistics: RunStatistics;
  }) {
    this.#registry = options.registry;
    this.#breakers = options.breakers;
    this.#deadlines = options.deadlines;
    this.#statistics = options.statistics;
  }

  /** Limits the agent's concurrent calls, or removes the limit with null. */
  configureBulkhead(agent: string, settings: BulkheadSettings | null): void {
    if (settings === null) this.#bulkheads.delete(agent);
    else
      this.#bulkheads.set(agent, {
        settings: { ...settings },
        policy: bulkhead(settings.maxConcurrent, settings.maxQueued),
      });
  }

  bulkheadSettings(agent: string): BulkheadSettings | null {
    const entry = this.#bulkheads.get(agent);
    return entry ? { ...entry.settings } : null;
  }

  /** Calls the agent; resolves with its JSON result or rejects with a classified OrquestraError. */
  invoke(call: AgentInvocation): Promise<JsonValue> {
    const agent = this.#registry.loadedAgent(call.agent);
    // The common case (loaded, no bulkhead, breaker closed without failures, action known) adds no
    // async layer of its own: the attempt records the outcome and settles the call's promise.
    if (
      agent !== undefined &&
      !this.#bulkheads.has(call.agent) &&
      this.#breakers.isClean(call.agent) &&
      this.#supports(agent, call.action)
    ) {
      return this.#call(agent, call, performance.now());
    }
    return this.#invokeGuarded(call, agent);
  }

  async #invokeGuarded(call: AgentInvocation, loaded: Agent | undefined): Promise<JsonValue> {
    const agent = loaded ?? (await this.#loadWithin(call));
    if (!this.#supports(agent, call.action)) {
      throw new OrquestraError(
        'ACTION_NOT_SUPPORTED',
        `agent "${agent.name}" has no action "${call.action}" (it offers: ${agent.actions.map((a) => a.name).join(', ')})`,
        { agent: agent.name },
      );
    }
    const started = performance.now();
    try {
      const bulkheadEntry = this.#bulkheads.get(call.agent);
      let result: JsonValue;
      if (bulkheadEntry || this.#breakers.isTripped(call.agent)) {
        result = await this.#guarded(agent, call, bulkheadEntry?.policy ?? null);
      } else {
        result = await this.#breakers.execute(call.agent, () => this.#call(agent, call, null));
      }
      this.#statistics.agentCall(call.agent, performance.now() - started, true, Date.now());
      return result;
    } catch (raw) {
      throw this.#failed(raw, call, started);
    }
  }

  /** Classifies a failed call and counts it in the agent's statistics unless it was not the agent's fault. */
  #failed(raw: unknown, call: AgentInvocation, started: number): OrquestraError {
    const error = classify(raw, call);
    if (!NOT_THE_AGENTS_FAULT.has(error.kind)) {
      this.#statistics.agentCall(call.agent, performance.now() - started, false, Date.now());
    }
    return error;
  }

  /**
   * Loads the agent for a call; gives up at once when the call's scope is aborted, so that a module
   * load that hangs cannot keep a cancelled or timed-out run from ending.
   */
  #loadWithin(call: AgentInvocation): Promise<Agent> {
    return new Promise<Agent>((resolve, reject) => {
      const scope = call.scope.child((reason) => reject(reason));
      if (scope.aborted) {
        reject(scope.reason);
        return;
      }
      this.#load(call.agent).then(
        (agent) => {
          scope.dispose();
          resolve(agent);
        },
        (error: unknown) => {
          scope.dispose();
          reject(error);
        },
      );
    });
  }

  async #load(name: string): Promise<Agent> {
    let agent: Agent | undefined;
    try {
      agent = await this.#registry.load(name);
    } catch (error) {
      throw new OrquestraError('AGENT_FAILURE', `agent "${name}" failed to load: ${describe(error)}`, {
        agent: name,
        cause: error,
      });
    }
    if (!agent)
      throw new OrquestraError('AGENT_NOT_FOUND', `agent "${name}" is not registered`, { agent: name });
    return agent;
  }

  #supports(agent: Agent, action: string): boolean {
    let actions = this.#actions.get(agent);
    if (!actions) {
      actions = new Set(agent.actions.map((a) => a.name));
      this.#actions.set(agent, actions);
    }
    return actions.has(action);
  }

  /**
   * The agent call proper: resolves with the reply's result, rejects with the agent's error, or with an
   * AbortReason as soon as the deadline passes or the scope is aborted. With `direct` (the time the
   * call started), the call was made outside the breaker's policy: it also records the outcome, replays
   * a failure through the breaker, and rejects with a classified error.
   */
  #call(agent: Agent, call: AgentInvocation, direct: number | null): Promise<JsonValue> {
    const attempt = new AttemptScope(call.scope, agent.name, call.timeoutMs);
    const { promise, resolve, reject } = Promise.withResolvers<JsonValue>();
    const fail =
      direct === null
        ? reject
        : (error: unknown) => {
            this.#breakers.recordFailure(call.agent, error).catch((raw: unknown) => {
              reject(this.#failed(raw, call, direct));
            });
          };
    if (attempt.aborted) {
      fail(attempt.reason);
      return promise;
    }
    attempt.reject = fail;
    attempt.deadline = this.#deadlines.schedule(call.timeoutMs, attempt);
    let pending: Promise<AgentReply>;
    try {
      pending = Promise.resolve(
        agent.process({ action: call.action, payload: call.payload }, new AttemptContext(call, attempt)),
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (reply) => {
        if (!attempt.settle()) return;
        let result: JsonValue;
        try {
          result = resultOf(reply, agent.name);
        } catch (error) {
          fail(error);
          return;
        }
        if (direct !== null) {
          this.#statistics.agentCall(call.agent, performance.now() - direct, true, Date.now());
        }
        resolve(result);
      },
      (error: unknown) => {
        if (attempt.settle()) fail(error);
      },
    );
    return promise;
  }

  /**
   * The call when it may have to wait (bulkhead queue, half-open decision): the wait itself must end
   * when the scope is aborted, so the whole guarded call races the scope.
   */
  #guarded(agent: Agent, call: AgentInvocation, policy: BulkheadPolicy | null): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const controller = new AbortController();
      const scope = call.scope.child((reason) => {
        controller.abort(reason);
        reject(reason);
      });
      if (scope.aborted) {
        reject(scope.reason);
        return;
      }
      const run = () => this.#breakers.execute(call.agent, () => this.#call(agent, call, null));
      (policy ? policy.execute(run, controller.signal) : run()).then(
        (value) => {
          scope.dispose();
          resolve(value);
        },
        (error: unknown) => {
          scope.dispose();
          reject(error);
        },
      );
    });
  }
}

/**
 * One attempt's place in the abort tree, and its deadline target: aborting it (the deadline, a run
 * cancel, a failed sibling) aborts the agent's signal and rejects the attempt at once. A subclass with
 * methods rather than closures, because there is one per agent call.
 */
class AttemptScope extends AbortScope {
  readonly agent: string;
  readonly timeoutMs: number;
  reject: (reason: unknown) => void = () => {};
  deadline: Deadline | null = null;
  #controller: AbortController | null = null;

  constructor(parent: AbortScope, agent: string, timeoutMs: number) {
    super(parent);
    this.agent = agent;
    this.timeoutMs = timeoutMs;
  }

  /** Created on first use: most agents never look at their signal. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** The deadline passed. */
  expire(): void {
    this.abort({
      kind: 'STEP_TIMEOUT',
      message: `agent "${this.agent}" did not answer within ${this.timeoutMs} ms`,
      timeoutMs: this.timeoutMs,
    } satisfies AbortReason);
  }

  /**
   * The agent answered: no deadline, no place in the tree. False when the attempt was aborted first:
   * it was rejected then, and the late answer counts for nothing.
   */
  settle(): boolean {
    if (this.aborted) return false;
    this.deadline?.cancel();
    this.dispose();
    return true;
  }

  protected override onAbort(reason: unknown): void {
    this.deadline?.cancel();
    this.#controller?.abort(reason);
    this.reject(reason);
  }
}

/** The AgentContext an agent receives; its signal is the attempt's, created when read. */
class AttemptContext implements AgentContext {
  readonly runId: string | null;
  readonly stepId: string | null;
  readonly attempt: number;
  readonly #scope: AttemptScope;

  constructor(call: AgentInvocation, scope: AttemptScope) {
    this.runId = call.runId;
    this.stepId = call.stepId;
    this.attempt = call.attempt;
    this.#scope = scope;
  }

  get signal(): AbortSignal {
    return this.#scope.signal;
  }
}

function resultOf(reply: AgentReply, agent: string): JsonValue {
  if (reply === null || typeof reply !== 'object' || !('result' in reply)) {
    throw new OrquestraError('AGENT_FAILURE', `agent "${agent}" replied without a "result"`, { agent });
  }
  try {
    return toJson(reply.result, 'result');
  } catch (error) {
    throw new OrquestraError('AGENT_FAILURE', `agent "${agent}" replied with ${describe(error)}`, { agent });
  }
}

/** Whether an error counts against the agent's circuit breaker. */
export function isAgentFault(error: unknown): boolean {
  if (isAbortReason(error)) return error.kind === 'STEP_TIMEOUT';
  if (isAgentError(error)) return error.kind !== 'INVALID_INPUT';
  if (isOrquestraError(error)) return !NOT_THE_AGENTS_FAULT.has(error.kind);
  return true;
}

/** Turns whatever a call rejected with into an OrquestraError naming the agent. */
export function classify(error: unknown, call: Pick<AgentInvocation, 'agent'>): OrquestraError {
  const agent = call.agent;
  if (isOrquestraError(error)) return error;
  if (isAbortReason(error)) {
    return error.kind === 'STEP_TIMEOUT'
      ? new OrquestraError('TIMEOUT', error.message, { agent })
      : new OrquestraError('CANCELLED', error.message, { agent });
  }
  if (isBrokenCircuitError(error)) {
    return new OrquestraError(
      'CIRCUIT_OPEN',
      `the circuit breaker of agent "${agent}" is open; the call was not made`,
      { agent },
    );
  }
  if (isBulkheadRejectedError(error)) {
    return new OrquestraError(
      'BULKHEAD_FULL',
      `agent "${agent}" is at its concurrency limit and its queue is full`,
      { agent },
    );
  }
  if (isTaskCancelledError(error))
    return new OrquestraError('CANCELLED', 'the call was cancelled before it started', { agent });
  if (isAgentError(error)) {
    return new OrquestraError(
      error.kind,
      error.message,
      error.details === undefined ? { agent } : { agent, details: error.details },
    );
  }
  return new OrquestraError('AGENT_FAILURE', `agent "${agent}" failed: ${describe(error)}`, {
    agent,
    cause: error,
  });
}

export function describe(error: unknown): string {
  if (isAbortReason(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
