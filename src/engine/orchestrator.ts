/**
 * The engine's public face: everything the gateway (or any other host) can ask of orquestra.
 *
 * It registers and versions workflows, starts, cancels and reports runs, streams their events with
 * replay, calls agents directly, exposes and manages breakers and the retry policy, and keeps the
 * statistics. At start it marks runs a crash left RUNNING as INTERRUPTED; at stop it lets runs finish
 * for a grace period and ends the rest with a terminal event. It imports nothing from GraphQL.
 */

import { createHash } from 'node:crypto';
import type { AgentDescriptor } from '../agents/agent.ts';
import type { AgentHealth, AgentRegistry, AgentSelection } from '../agents/registry.ts';
import { AbortScope } from './abort-scope.ts';
import { AgentInvoker, type BulkheadSettings, describe, isAgentFault } from './agent-invoker.ts';
import {
  CircuitBreakerRegistry,
  type CircuitBreakerSettings,
  type CircuitBreakerView,
} from './circuit-breakers.ts';
import { markInterruptedRuns } from './crash-recovery.ts';
import { DeadlineScheduler } from './deadlines.ts';
import {
  DEFAULT_RETRY_POLICY,
  type Pattern,
  type RetryPolicy,
  type WorkflowDefinition,
} from './definition.ts';
import { InvalidStateError, NotFoundError, OrquestraError, ValidationError } from './errors.ts';
import { type Disposable, type EventBus, InMemoryEventBus } from './event-bus.ts';
import { EventStream } from './event-stream.ts';
import type {
  CircuitBreakerTransition,
  DomainEvent,
  RunEvent,
  RunStatus,
  RunUpdate,
  TopicPayloads,
} from './events.ts';
import { newRunId } from './ids.ts';
import { isJsonObject, type JsonObject, type JsonValue, toJson } from './json.ts';
import { createPatternRunners } from './patterns/index.ts';
import type { RunRecord, StepAttempt, StepRunRecord, WorkflowVersionRecord } from './run.ts';
import { RunEventLog } from './run-event-log.ts';
import { followRunEvents } from './run-event-subscription.ts';
import { RunExecution } from './run-execution.ts';
import { type AgentStatistics, RunStatistics, type StatisticsView } from './statistics.ts';
import { StepRunner } from './step-runner.ts';
import type { RetentionPolicy, RunFilter, RunPage, RunPageRequest, RunStore } from './store.ts';
import {
  type AgentCatalog,
  type CompiledWorkflow,
  compileWorkflow,
  validateWorkflow,
} from './validate-workflow.ts';
import { retryOverrideSchema } from './workflow-schema.ts';

export interface OrchestratorOptions {
  store: RunStore;
  agents: AgentRegistry;
  /** Default: an in-process bus. */
  bus?: EventBus;
  /** Overrides of the default retry policy (3 attempts, 200 ms doubling to 10 s, jitter). */
  retryPolicy?: Partial<RetryPolicy>;
  /** Default breaker settings for every agent (5 failures, 60 s, 3 trial calls). */
  circuitBreaker?: Partial<CircuitBreakerSettings>;
  /** Concurrency limits per agent. */
  bulkheads?: Record<string, BulkheadSettings>;
  /** Definitions registered at start; unchanged ones do not create a new version. */
  workflows?: readonly unknown[];
  /** Periodic pruning of finished runs. Default: none. */
  retention?: { maxAgeMs?: number; maxFinishedRuns?: number; intervalMs?: number };
  /** Least time between two statistics snapshots written to the store. Default 1 000 ms. */
  statisticsIntervalMs?: number;
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface ExecuteOptions {
  /** Resolve when the run has ended (its terminal event stored and published). Default false. */
  wait?: boolean;
  /** Run this version instead of the latest. */
  version?: number;
  /** The domain event that started the run, when a trigger did. */
  triggeredBy?: string | null;
}

export interface ExecuteAgentRequest {
  agent?: string;
  capabilities?: string[];
  action: string;
  input: unknown;
  retry?: Partial<RetryPolicy>;
  fallbackAgent?: string;
  /** Per-attempt timeout. Default 300 000 ms. */
  timeoutMs?: number;
}

export interface ExecuteAgentResult {
  agent: string;
  output: JsonValue;
  attempts: StepAttempt[];
  durationMs: number;
}

export interface RunUpdateFilter {
  status?: readonly RunStatus[];
  workflowId?: string;
  pattern?: readonly Pattern[];
}

const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
/** How long cancelling a run owned by another instance waits for it to end. */
const REMOTE_CANCEL_WAIT_MS = 10_000;

export class Orchestrator {
  readonly #store: RunStore;
  readonly #registry: AgentRegistry;
  readonly #bus: EventBus;
  readonly #logger: Pick<Console, 'info' | 'warn' | 'error'>;
  readonly #statistics: RunStatistics;
  readonly #breakers: CircuitBreakerRegistry;
  readonly #deadlines = new DeadlineScheduler();
  readonly #invoker: AgentInvoker;
  readonly #steps: StepRunner;
  readonly #log: RunEventLog;
  readonly #patterns: ReturnType<typeof createPatternRunners>;
  readonly #live = new Map<string, RunExecution>();
  readonly #compiled = new Map<string, CompiledWorkflow>();
  readonly #records = new Map<string, WorkflowVersionRecord>();
  readonly #latest = new Map<string, number>();
  readonly #triggers = new Map<string, Set<string>>();
  /** Parent of direct agent calls, aborted at stop. */
  readonly #adhoc = new AbortScope();
  readonly #health: AgentHealth;
  readonly #subscriptions: Disposable[] = [];
  #retryPolicy: RetryPolicy;
  #retention: OrchestratorOptions['retention'];
  #retentionTimer: ReturnType<typeof setInterval> | null = null;
  #stopping = false;

  private constructor(options: OrchestratorOptions, statistics: RunStatistics) {
    this.#store = options.store;
    this.#registry = options.agents;
    this.#bus = options.bus ?? new InMemoryEventBus();
    this.#logger = options.logger ?? console;
    this.#statistics = statistics;
    this.#retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
    this.#retention = options.retention;
    this.#breakers = new CircuitBreakerRegistry({
      isFailure: isAgentFault,
      describeError: describe,
      onTransition: (transition) => this.#bus.publish('breaker.transitions', transition),
      ...(options.circuitBreaker ? { defaults: options.circuitBreaker } : {}),
    });
    this.#invoker = new AgentInvoker({
      registry: this.#registry,
      breakers: this.#breakers,
      deadlines: this.#deadlines,
      statistics,
    });
    for (const [agent, settings] of Object.entries(options.bulkheads ?? {}))
      this.#invoker.configureBulkhead(agent, settings);
    this.#health = {
      isAvailable: (agent) => this.#breakers.isAvailable(agent),
      successRate: (agent) => statistics.successRate(agent),
      averageLatencyMs: (agent) => statistics.averageLatencyMs(agent),
    };
    this.#steps = new StepRunner({
      registry: this.#registry,
      invoker: this.#invoker,
      statistics,
      health: this.#health,
      retryPolicy: () => this.#retryPolicy,
    });
    // A throwaway store does not survive a restart, so its statistics need no snapshots.
    const persistStatistics = this.#store.dialect !== 'memory';
    this.#log = new RunEventLog({
      store: this.#store,
      bus: this.#bus,
      ...(persistStatistics
        ? {
            statistics: {
              version: () => statistics.version,
              snapshot: () => statistics.snapshot(),
              minIntervalMs: options.statisticsIntervalMs ?? 1_000,
            },
          }
        : {}),
      onWriteError: (error, attempt) =>
        this.#logger.error(`orquestra: run store write failed (attempt ${attempt}), retrying:`, error),
    });
    this.#patterns = createPatternRunners((event) => this.#bus.publish('domain.events', event));
  }

  /**
   * Starts an engine on a migrated store: restores statistics, marks runs a crash left RUNNING as
   * INTERRUPTED, registers `options.workflows`, and starts retention.
   */
  static async start(options: OrchestratorOptions): Promise<Orchestrator> {
    const statistics = RunStatistics.restore(await options.store.loadStatistics());
    const orchestrator = new Orchestrator(options, statistics);
    orchestrator.#listen();
    await markInterruptedRuns(options.store, statistics, orchestrator.#logger);
    for (const definition of options.workflows ?? []) await orchestrator.registerWorkflow(definition);
    for (const record of await options.store.listWorkflows()) orchestrator.#cache(record);
    orchestrator.#startRetention();
    return orchestrator;
  }

  // ---- workflows ----------------------------------------------------------------------------------

  /**
   * Validates and stores a definition. Registering an existing id creates the next version, unless
   * the definition is unchanged.
   * @throws ValidationError with every issue found.
   */
  async registerWorkflow(
    definition: unknown,
  ): Promise<{ workflow: WorkflowVersionRecord; created: boolean }> {
    const valid = validateWorkflow(definition, this.#catalog());
    const { version: _ignored, ...unversioned } = valid;
    const { record, created } = await this.#store.saveWorkflow(
      unversioned,
      definitionHash(unversioned),
      Date.now(),
    );
    this.#cache(record);
    if (created)
      this.#bus.publish('workflows.changed', {
        id: record.id,
        version: record.version,
        from: this.#store.instanceId,
      });
    return { workflow: record, created };
  }

  /** A version of a workflow, the latest by default; null when unknown. */
  async getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null> {
    return this.#store.getWorkflow(id, version);
  }

  /** The latest version of every workflow, optionally of one pattern, by id. */
  async listWorkflows(filter: { pattern?: Pattern } = {}): Promise<WorkflowVersionRecord[]> {
    const all = await this.#store.listWorkflows();
    return filter.pattern ? all.filter((w) => w.definition.pattern === filter.pattern) : all;
  }

  listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    return this.#store.listWorkflowVersions(id);
  }

  /** Versions by reference (the latest when `version` is omitted), aligned with `refs`; cached ones cost no read. */
  async getWorkflowVersions(
    refs: readonly { id: string; version?: number }[],
  ): Promise<(WorkflowVersionRecord | null)[]> {
    return Promise.all(
      refs.map(async ({ id, version }) => {
        const wanted = version ?? this.#latest.get(id);
        const cached = wanted === undefined ? undefined : this.#records.get(`${id}@${wanted}`);
        if (cached) return cached;
        const record = await this.#store.getWorkflow(id, version);
        if (record) this.#cache(record);
        return record;
      }),
    );
  }

  // ---- runs ---------------------------------------------------------------------------------------

  /**
   * Starts a run of the workflow's latest version (or `options.version`). Returns the RUNNING run at
   * once (on a shared bus, once it is stored), or the ended run with `wait`.
   * @throws NotFoundError for an unknown workflow or version; ValidationError for an input that is not a JSON object.
   */
  async executeWorkflow(
    workflowId: string,
    input: unknown,
    options: ExecuteOptions = {},
  ): Promise<RunRecord> {
    if (this.#stopping) throw new InvalidStateError('the engine is shutting down and starts no new runs');
    const workflow = await this.#compiledWorkflow(workflowId, options.version);
    const json = toRunInput(input);
    const startedAt = Date.now();
    const run = new RunExecution({
      id: newRunId(startedAt),
      workflow,
      input: json,
      triggeredBy: options.triggeredBy ?? null,
      services: {
        log: this.#log,
        steps: this.#steps,
        statistics: this.#statistics,
        deadlines: this.#deadlines,
      },
      startedAt,
    });
    this.#live.set(run.id, run);
    run.finished.then(() => this.#live.delete(run.id));
    run.run(this.#patterns[workflow.pattern]).catch((error: unknown) => {
      this.#logger.error(`orquestra: run ${run.id} crashed`, error);
    });
    if (options.wait) return run.finished;
    // On a shared bus, the id goes out only once the run is stored, so that the instance a client asks
    // next (to follow or cancel it) finds it; this instance answers from memory meanwhile.
    if (this.#bus.distributed) await run.stored;
    return { ...run.record };
  }

  /**
   * Cancels a running run: every agent call in flight is aborted, and the run ends CANCELLED.
   * Resolves with the ended run.
   * @throws NotFoundError for an unknown run; InvalidStateError when it already ended.
   */
  async cancelRun(runId: string, reason = 'cancelled on request'): Promise<RunRecord> {
    const run = this.#live.get(runId);
    if (run && !run.isFinished) {
      run.cancel({ kind: 'CANCELLED', message: reason });
      return run.finished;
    }
    const [stored] = await this.#store.getRuns([runId]);
    const record = run?.record ?? stored;
    if (!record) throw new NotFoundError('run', runId);
    if (record.status !== 'RUNNING')
      throw new InvalidStateError(`run ${runId} already ended (${record.status})`);
    if (!this.#bus.distributed) throw new InvalidStateError(`run ${runId} is running on another instance`);
    return this.#cancelElsewhere(runId, reason);
  }

  /** Asks the instance that owns the run to cancel it, and waits (a while) for the run to end. */
  async #cancelElsewhere(runId: string, reason: string): Promise<RunRecord> {
    const events = await this.runEvents(runId, 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      this.#bus.publish('run.commands', { type: 'cancel', runId, reason, from: this.#store.instanceId });
      const ended = (async () => {
        for await (const _event of events) {
          // The stream ends after the run's terminal event.
        }
        return true;
      })();
      const gaveUp = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), REMOTE_CANCEL_WAIT_MS);
      });
      if (!(await Promise.race([ended, gaveUp]))) {
        throw new InvalidStateError(
          `run ${runId} is running on another instance, which did not end it within ${REMOTE_CANCEL_WAIT_MS} ms`,
        );
      }
      const [record] = await this.#store.getRuns([runId]);
      return record as RunRecord;
    } finally {
      clearTimeout(timer);
      await events.return();
    }
  }

  async getRun(id: string): Promise<RunRecord | null> {
    return (await this.getRuns([id]))[0] ?? null;
  }

  /** Runs by id, live ones from memory, aligned with `ids`; one store read at most. */
  async getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    const result: (RunRecord | null)[] = ids.map((id) => {
      const live = this.#live.get(id);
      return live ? { ...live.record } : null;
    });
    const missing = ids.filter((_, i) => result[i] === null);
    if (missing.length) {
      const stored = await this.#store.getRuns(missing);
      let j = 0;
      for (let i = 0; i < ids.length; i++) if (result[i] === null) result[i] = stored[j++] ?? null;
    }
    return result;
  }

  listRuns(request: RunPageRequest): Promise<RunPage> {
    return this.#store.listRuns(request);
  }

  countRuns(filter: RunFilter): Promise<number> {
    return this.#store.countRuns(filter);
  }

  /** Step executions of each run in execution order, aligned with `runIds`. */
  async getStepRuns(runIds: readonly string[]): Promise<StepRunRecord[][]> {
    const result: (StepRunRecord[] | null)[] = runIds.map((id) => {
      const live = this.#live.get(id);
      return live ? live.stepRecords.map((s) => ({ ...s, attemptLog: [...s.attemptLog] })) : null;
    });
    const missing = runIds.filter((_, i) => result[i] === null);
    if (missing.length) {
      const stored = await this.#store.getStepRuns(missing);
      let j = 0;
      for (let i = 0; i < runIds.length; i++) if (result[i] === null) result[i] = stored[j++] ?? [];
    }
    return result as StepRunRecord[][];
  }

  /** Stored events of a run after `afterSeq`, at most `limit`. */
  getEvents(runId: string, afterSeq = 0, limit?: number): Promise<RunEvent[]> {
    return this.#store.getEvents(runId, afterSeq, limit);
  }

  /**
   * Every event of the run after `afterSeq`, exactly once and in seq order: first those already
   * stored, then live ones, with no gap or duplicate at the seam. Ends after the terminal event.
   * @throws NotFoundError for an unknown run.
   */
  async runEvents(runId: string, afterSeq = 0): Promise<EventStream<RunEvent>> {
    return followRunEvents(
      { bus: this.#bus, store: this.#store, isLive: (id) => this.#live.has(id) },
      runId,
      afterSeq,
    );
  }

  /** Run status changes (started, ended) matching the filter. */
  runUpdates(filter: RunUpdateFilter = {}): EventStream<RunUpdate> {
    return this.#stream(
      'run.updates',
      (u) =>
        (filter.status === undefined || filter.status.includes(u.status)) &&
        (filter.workflowId === undefined || filter.workflowId === u.workflowId) &&
        (filter.pattern === undefined || filter.pattern.includes(u.pattern)),
    );
  }

  /** Breaker transitions of one agent, or of all. */
  breakerTransitions(agent?: string): EventStream<CircuitBreakerTransition> {
    return this.#stream('breaker.transitions', (t) => agent === undefined || t.agent === agent);
  }

  /** Domain events (choreography and published ones) of one name, or of all. */
  domainEvents(name?: string): EventStream<DomainEvent> {
    return this.#stream('domain.events', (e) => name === undefined || e.name === name);
  }

  /**
   * Publishes a domain event from outside and starts a run of every workflow whose trigger it is,
   * with the payload as input.
   * @throws ValidationError for a malformed name or payload.
   */
  async publishEvent(name: string, payload: unknown): Promise<{ event: DomainEvent; runs: RunRecord[] }> {
    const issues = [];
    if (!EVENT_NAME.test(name))
      issues.push({ path: 'name', message: 'must be an event name such as "contracts.ingested"' });
    let json: JsonObject | null = null;
    try {
      json = toRunInput(payload);
    } catch (error) {
      issues.push({
        path: 'payload',
        message:
          error instanceof ValidationError ? (error.issues[0]?.message ?? error.message) : String(error),
      });
    }
    if (issues.length || json === null) throw new ValidationError('event', issues);
    const event: DomainEvent = { name, payload: json, at: Date.now(), runId: null };
    this.#bus.publish('domain.events', event);
    const runs: RunRecord[] = [];
    for (const workflowId of this.#triggers.get(name) ?? []) {
      runs.push(await this.executeWorkflow(workflowId, json, { triggeredBy: name }));
    }
    return { event, runs };
  }

  // ---- agents -------------------------------------------------------------------------------------

  listAgents(filter: { capability?: string } = {}): AgentDescriptor[] {
    return filter.capability === undefined
      ? this.#registry.list()
      : this.#registry.findAgents(filter.capability);
  }

  describeAgent(name: string): AgentDescriptor | null {
    return this.#registry.describe(name) ?? null;
  }

  capabilities(): { name: string; agents: AgentDescriptor[] }[] {
    return this.#registry.capabilities();
  }

  /** The best available agent for the capabilities (and action), breaker- and performance-aware. */
  selectBestAgent(capabilities: readonly string[], action?: string): AgentSelection | null {
    return this.#registry.selectBestAgent(
      capabilities,
      action === undefined ? { health: this.#health } : { action, health: this.#health },
    );
  }

  /**
   * Calls an agent directly with the same guards as a step: retries, breaker, timeout, fallback.
   * @throws ValidationError for a malformed request, NotFoundError for an unknown agent, OrquestraError when the call fails.
   */
  async executeAgent(request: ExecuteAgentRequest): Promise<ExecuteAgentResult> {
    const issues: { path: string; message: string }[] = [];
    if ((request.agent === undefined) === (request.capabilities === undefined)) {
      issues.push({ path: 'agent', message: 'name exactly one of "agent" or "capabilities"' });
    }
    const retry =
      request.retry === undefined
        ? { success: true as const, data: {} }
        : retryOverrideSchema.safeParse(request.retry);
    if (!retry.success)
      for (const issue of retry.error.issues)
        issues.push({ path: ['retry', ...issue.path].join('.'), message: issue.message });
    if (
      request.timeoutMs !== undefined &&
      !(Number.isInteger(request.timeoutMs) && request.timeoutMs >= 1 && request.timeoutMs <= 86_400_000)
    ) {
      issues.push({ path: 'timeoutMs', message: 'must be an integer between 1 and 86400000' });
    }
    let payload: JsonObject | null = null;
    try {
      payload = toRunInput(request.input);
    } catch (error) {
      issues.push({
        path: 'input',
        message:
          error instanceof ValidationError ? (error.issues[0]?.message ?? error.message) : String(error),
      });
    }
    if (issues.length || payload === null) throw new ValidationError('agent call', issues);
    for (const name of [request.agent, request.fallbackAgent]) {
      if (name !== undefined && !this.#registry.has(name)) throw new NotFoundError('agent', name);
    }
    let agent = request.agent;
    if (agent === undefined) {
      const best = this.selectBestAgent(request.capabilities ?? [], request.action);
      if (!best) {
        throw new OrquestraError(
          'NO_AGENT_AVAILABLE',
          `no available agent offers ${(request.capabilities ?? []).map((c) => `"${c}"`).join(', ')} with action "${request.action}"`,
        );
      }
      agent = best.agent.name;
    }
    const started = Date.now();
    const result = await this.#steps.callAgent({
      agent,
      action: request.action,
      payload,
      timeoutMs: request.timeoutMs ?? 300_000,
      policy: { ...this.#retryPolicy, ...(retry.data as Partial<RetryPolicy>) },
      fallbackAgent: request.fallbackAgent ?? null,
      scope: this.#adhoc,
    });
    return { ...result, durationMs: Date.now() - started };
  }

  // ---- resilience ---------------------------------------------------------------------------------

  circuitBreaker(agent: string): CircuitBreakerView {
    this.#requireAgent(agent);
    return this.#breakers.view(agent);
  }

  /** Breakers of every registered agent. */
  circuitBreakers(): CircuitBreakerView[] {
    return this.#registry.list().map((a) => this.#breakers.view(a.name));
  }

  resetCircuitBreaker(agent: string): CircuitBreakerView {
    this.#requireAgent(agent);
    return this.#breakers.reset(agent);
  }

  isolateCircuitBreaker(agent: string): CircuitBreakerView {
    this.#requireAgent(agent);
    return this.#breakers.isolate(agent);
  }

  /**
   * Changes breaker settings of one agent, or the defaults of all when `agent` is null.
   * @throws ValidationError for out-of-range settings.
   */
  configureCircuitBreaker(
    agent: string | null,
    settings: Partial<CircuitBreakerSettings>,
  ): CircuitBreakerSettings {
    if (agent !== null) this.#requireAgent(agent);
    const issues: { path: string; message: string }[] = [];
    const check = (key: keyof CircuitBreakerSettings, min: number, max: number) => {
      const value = settings[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
        issues.push({ path: key, message: `must be an integer between ${min} and ${max}` });
      }
    };
    check('failureThreshold', 1, 1000);
    check('halfOpenAfterMs', 1, 86_400_000);
    check('successThreshold', 1, 100);
    if (issues.length) throw new ValidationError('circuit breaker settings', issues);
    return this.#breakers.configure(agent, settings);
  }

  retryPolicy(): RetryPolicy {
    return { ...this.#retryPolicy, nonRetryableKinds: [...this.#retryPolicy.nonRetryableKinds] };
  }

  /**
   * Changes the default retry policy that every step without its own overrides uses from now on.
   * @throws ValidationError for out-of-range values.
   */
  configureRetryPolicy(changes: Partial<RetryPolicy>): RetryPolicy {
    const parsed = retryOverrideSchema.safeParse(changes);
    if (!parsed.success) {
      throw new ValidationError(
        'retry policy',
        parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      );
    }
    const next = { ...this.#retryPolicy, ...(parsed.data as Partial<RetryPolicy>) };
    if (next.maxDelayMs < next.initialDelayMs) {
      throw new ValidationError('retry policy', [
        { path: 'maxDelayMs', message: 'must not be below initialDelayMs' },
      ]);
    }
    this.#retryPolicy = next;
    return this.retryPolicy();
  }

  configureBulkhead(agent: string, settings: BulkheadSettings | null): void {
    this.#requireAgent(agent);
    this.#invoker.configureBulkhead(agent, settings);
  }

  bulkhead(agent: string): BulkheadSettings | null {
    return this.#invoker.bulkheadSettings(agent);
  }

  // ---- statistics and health ----------------------------------------------------------------------

  statistics(): StatisticsView {
    return this.#statistics.view();
  }

  agentStatistics(agent: string): AgentStatistics {
    return this.#statistics.agentStatistics(agent);
  }

  /** Runs in flight in this process. */
  get runningRuns(): number {
    return this.#live.size;
  }

  /** Whether the engine accepts work and its store answers. */
  async ready(): Promise<{ ready: boolean; reason: string | null }> {
    if (this.#stopping) return { ready: false, reason: 'shutting down' };
    if (!this.#log.healthy) return { ready: false, reason: 'the run store refuses writes' };
    try {
      await this.#store.ping();
      return { ready: true, reason: null };
    } catch (error) {
      return { ready: false, reason: `the run store does not answer: ${describe(error)}` };
    }
  }

  /** Deletes finished runs per the retention settings; never a running run. */
  async prune(policy?: RetentionPolicy): Promise<number> {
    const retention = this.#retention ?? {};
    const effective: RetentionPolicy = policy ?? {
      ...(retention.maxAgeMs !== undefined ? { finishedBefore: Date.now() - retention.maxAgeMs } : {}),
      ...(retention.maxFinishedRuns !== undefined ? { maxFinishedRuns: retention.maxFinishedRuns } : {}),
    };
    if (effective.finishedBefore === undefined && effective.maxFinishedRuns === undefined) return 0;
    return this.#store.prune(effective);
  }

  /**
   * Stops: no new runs; runs in flight get `graceMs` (10 s) to finish, then end INTERRUPTED with a
   * terminal event; everything is written before this resolves, unless the store refuses writes for
   * `flushTimeoutMs` (10 s). The store and bus stay open (their owner closes them).
   */
  async stop(options: { graceMs?: number; flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#retentionTimer) clearInterval(this.#retentionTimer);
    const live = [...this.#live.values()];
    if (live.length) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.graceMs ?? 10_000);
      });
      await Promise.race([Promise.all(live.map((r) => r.ended)), grace]);
      clearTimeout(timer);
      for (const run of live)
        run.cancel({ kind: 'SHUTDOWN', message: 'the gateway shut down before the run finished' });
      // Cancelling ends a run promptly (a SAGA's compensations within their own timeouts).
      await Promise.all(live.map((r) => r.ended));
    }
    this.#adhoc.abort({ kind: 'SHUTDOWN', message: 'the gateway is shutting down' });
    for (const subscription of this.#subscriptions.splice(0)) subscription.dispose();
    // Bounded, so that a store outage cannot keep the process from exiting.
    await this.#log.close(options.flushTimeoutMs ?? 10_000);
    this.#deadlines.clear();
  }

  // ---- internals ----------------------------------------------------------------------------------

  #stream<T extends keyof TopicPayloads>(
    topic: T,
    accept: (payload: TopicPayloads[T]) => boolean,
  ): EventStream<TopicPayloads[T]> {
    const stream = new EventStream<TopicPayloads[T]>();
    const subscription = this.#bus.subscribe(topic, (payload) => {
      if (accept(payload as TopicPayloads[T])) stream.push(payload as TopicPayloads[T]);
    });
    stream.onDispose(() => subscription.dispose());
    return stream;
  }

  /**
   * What other instances ask of this one: cancel a run it owns, forget a workflow's cached latest
   * version. On an in-process bus these only ever come from this instance itself.
   */
  #listen(): void {
    this.#subscriptions.push(
      this.#bus.subscribe('run.commands', (command) => {
        const run = this.#live.get(command.runId);
        if (command.type === 'cancel' && run && !run.isFinished)
          run.cancel({ kind: 'CANCELLED', message: command.reason });
      }),
      this.#bus.subscribe('workflows.changed', (change) => {
        if (change.from === this.#store.instanceId || (this.#latest.get(change.id) ?? 0) >= change.version)
          return;
        this.#store.getWorkflow(change.id, change.version).then(
          (record) => {
            if (record) this.#cache(record);
          },
          (error: unknown) =>
            this.#logger.error(`orquestra: could not load workflow ${change.id}@${change.version}`, error),
        );
      }),
    );
  }

  #requireAgent(agent: string): void {
    if (!this.#registry.has(agent)) throw new NotFoundError('agent', agent);
  }

  #catalog(): AgentCatalog {
    return {
      describe: (name) => this.#registry.describe(name),
      agentsFor: (capabilities, action) =>
        this.#registry
          .rankAgents(capabilities, action === undefined ? {} : { action })
          .map((selection) => selection.agent),
      names: () => this.#registry.list().map((a) => a.name),
    };
  }

  #cache(record: WorkflowVersionRecord): void {
    const compiled = compileWorkflow(record.definition, record.version);
    this.#compiled.set(`${record.id}@${record.version}`, compiled);
    this.#records.set(`${record.id}@${record.version}`, record);
    const latest = this.#latest.get(record.id);
    if (latest !== undefined && latest > record.version) return;
    const previous = latest === undefined ? undefined : this.#compiled.get(`${record.id}@${latest}`);
    if (previous?.trigger) this.#triggers.get(previous.trigger)?.delete(record.id);
    this.#latest.set(record.id, record.version);
    if (compiled.trigger) {
      const set = this.#triggers.get(compiled.trigger) ?? new Set();
      set.add(record.id);
      this.#triggers.set(compiled.trigger, set);
    }
  }

  async #compiledWorkflow(id: string, version?: number): Promise<CompiledWorkflow> {
    const wanted = version ?? this.#latest.get(id);
    const cached = wanted === undefined ? undefined : this.#compiled.get(`${id}@${wanted}`);
    if (cached) return cached;
    const record = await this.#store.getWorkflow(id, version);
    if (!record) throw new NotFoundError('workflow', version === undefined ? id : `${id}@${version}`);
    this.#cache(record);
    return this.#compiled.get(`${id}@${record.version}`) as CompiledWorkflow;
  }

  #startRetention(): void {
    const retention = this.#retention;
    if (!retention || (retention.maxAgeMs === undefined && retention.maxFinishedRuns === undefined)) return;
    const prune = () =>
      this.prune().then(
        (count) => {
          if (count) this.#logger.info(`orquestra: retention deleted ${count} finished run(s)`);
        },
        (error: unknown) => this.#logger.error('orquestra: retention failed', error),
      );
    void prune();
    this.#retentionTimer = setInterval(prune, retention.intervalMs ?? 600_000);
    this.#retentionTimer.unref();
  }
}

/** Run inputs are JSON objects; anything else is rejected with the reason. */
function toRunInput(input: unknown): JsonObject {
  let json: JsonValue;
  try {
    json = toJson(input ?? {}, 'input');
  } catch (error) {
    throw new ValidationError('input', [
      { path: 'input', message: error instanceof Error ? error.message : String(error) },
    ]);
  }
  if (!isJsonObject(json))
    throw new ValidationError('input', [{ path: 'input', message: 'must be a JSON object' }]);
  return json;
}

/** SHA-256 of the definition with keys sorted, so key order does not create versions. */
export function definitionHash(definition: Omit<WorkflowDefinition, 'version'>): string {
  return createHash('sha256').update(stableStringify(definition)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
