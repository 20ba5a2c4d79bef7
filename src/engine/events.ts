/**
 * Every event the engine publishes, declared once for the engine, the store and the schema.
 *
 * A run's log is an append-only sequence of {@link RunEvent}s numbered 1, 2, 3, ... without gaps and
 * ending with exactly one terminal event. `docs/events.md` is the protocol a subscriber can rely on.
 * Circuit breaker transitions and run status changes travel on their own topics.
 */

import type { Pattern } from './definition.ts';
import type { ErrorInfo } from './errors.ts';
import type { JsonObject } from './json.ts';

export const RUN_EVENT_TYPES = [
  'RUN_STARTED',
  'STEP_STARTED',
  'STEP_RETRYING',
  'STEP_TIMED_OUT',
  'STEP_FALLBACK',
  'STEP_COMPLETED',
  'STEP_FAILED',
  'STEP_SKIPPED',
  'EVENT_EMITTED',
  'COMPENSATION_STARTED',
  'COMPENSATION_COMPLETED',
  'COMPENSATION_FAILED',
  'RUN_COMPLETED',
  'RUN_FAILED',
  'RUN_CANCELLED',
  'RUN_COMPENSATED',
  'RUN_TIMED_OUT',
  'RUN_INTERRUPTED',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export const RUN_STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'COMPENSATED',
  'TIMED_OUT',
  'INTERRUPTED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type TerminalRunStatus = Exclude<RunStatus, 'RUNNING'>;

/** The terminal event type that ends a run with each final status. */
export const TERMINAL_EVENT_OF: Readonly<Record<TerminalRunStatus, RunEventType>> = {
  COMPLETED: 'RUN_COMPLETED',
  FAILED: 'RUN_FAILED',
  CANCELLED: 'RUN_CANCELLED',
  COMPENSATED: 'RUN_COMPENSATED',
  TIMED_OUT: 'RUN_TIMED_OUT',
  INTERRUPTED: 'RUN_INTERRUPTED',
};

const TERMINAL_EVENT_TYPES: ReadonlySet<RunEventType> = new Set(Object.values(TERMINAL_EVENT_OF));

export function isTerminalEventType(type: RunEventType): boolean {
  return TERMINAL_EVENT_TYPES.has(type);
}

export const STEP_STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'SKIPPED',
  'TIMED_OUT',
  'CANCELLED',
  'COMPENSATED',
  'COMPENSATION_FAILED',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface RunEvent {
  runId: string;
  /** 1, 2, 3, ... within the run, without gaps. */
  seq: number;
  type: RunEventType;
  /** Epoch milliseconds. */
  at: number;
  stepId: string | null;
  agent: string | null;
  attempt: number | null;
  /** One human-readable line, e.g. `step detect (zumbi) completed in 42 ms`. */
  message: string;
  /** Type-specific detail; see docs/events.md. */
  data: JsonObject | null;
}

/** A run's status change, for dashboards (`runUpdates`). */
export interface RunUpdate {
  runId: string;
  workflowId: string;
  workflowVersion: number;
  pattern: Pattern;
  status: RunStatus;
  /** Null when the run just started. */
  previousStatus: RunStatus | null;
  at: number;
  error: ErrorInfo | null;
}

export const BREAKER_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN', 'ISOLATED'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export interface CircuitBreakerTransition {
  agent: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
  /** Consecutive failures counted when the transition happened. */
  failureCount: number;
  /** Why, e.g. the last error message when opening, or `reset by operator`. */
  reason: string | null;
}

/** An event published on the choreography bus, from a run step or from outside (`publishEvent`). */
export interface DomainEvent {
  name: string;
  payload: JsonObject;
  at: number;
  /** The run that published it, or null when it came from outside. */
  runId: string | null;
}

/** A request to the instance that owns a run (on a shared bus, any instance may receive the API call). */
export interface RunCommand {
  type: 'cancel';
  runId: string;
  reason: string;
  /** The instance that sent it. */
  from: string;
}

/** A workflow got a new version: other instances drop what they cached of it. */
export interface WorkflowChange {
  id: string;
  version: number;
  from: string;
}

/** Bus topics and what travels on each. Per-run topics are `run:<id>`. */
export interface TopicPayloads {
  'run.updates': RunUpdate;
  'breaker.transitions': CircuitBreakerTransition;
  'domain.events': DomainEvent;
  'run.commands': RunCommand;
  'workflows.changed': WorkflowChange;
}

export const runTopic = (runId: string): `run:${string}` => `run:${runId}`;
