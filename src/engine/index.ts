/**
 * The engine's public surface, for the gateway, the CLI and embedders.
 */

export type { AbortReason } from './abort-scope.ts';
export type { BulkheadSettings } from './agent-invoker.ts';
export type { CircuitBreakerSettings, CircuitBreakerView } from './circuit-breakers.ts';
export { DEFAULT_BREAKER_SETTINGS } from './circuit-breakers.ts';
export type { ComparisonOp, Condition } from './condition.ts';
export * from './definition.ts';
export * from './errors.ts';
export type { Disposable, EventBus, PayloadOf, Subscription, Topic } from './event-bus.ts';
export { InMemoryEventBus } from './event-bus.ts';
export { EventStream, SlowSubscriberError } from './event-stream.ts';
export * from './events.ts';
export type { JsonObject, JsonPrimitive, JsonValue } from './json.ts';
export type {
  ExecuteAgentRequest,
  ExecuteAgentResult,
  ExecuteOptions,
  OrchestratorOptions,
  RunUpdateFilter,
} from './orchestrator.ts';
export { Orchestrator } from './orchestrator.ts';
export type { RunRecord, StepAttempt, StepRunRecord, WorkflowVersionRecord } from './run.ts';
export type { AgentStatistics, LatencySummary, PatternStatistics, StatisticsView } from './statistics.ts';
export type * from './store.ts';
