/**
 * What is recorded about a run and each of its step executions.
 *
 * These records are what the store persists and the API reads. They are snapshots: the engine keeps
 * the live state of a running run in memory and hands the store a fresh record whenever it changes.
 */

import type { Pattern, WorkflowDefinition } from './definition.ts';
import type { ErrorInfo } from './errors.ts';
import type { RunStatus, StepStatus } from './events.ts';
import type { JsonValue } from './json.ts';

export interface RunRecord {
  id: string;
  workflowId: string;
  workflowVersion: number;
  pattern: Pattern;
  status: RunStatus;
  input: JsonValue;
  output: JsonValue | null;
  error: ErrorInfo | null;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  /** The domain event that started the run, when a trigger did. */
  triggeredBy: string | null;
}

/** One attempt of a step execution; a retry or a fallback adds one. */
export interface StepAttempt {
  attempt: number;
  agent: string;
  /** True when this attempt ran on the step's fallback agent. */
  fallback: boolean;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  error: ErrorInfo | null;
}

/**
 * One execution of a step. A step usually executes once per run; a map step executes once per item
 * (`itemIndex`), and a CONDITIONAL step can execute again when a route loops back to it.
 */
export interface StepRunRecord {
  runId: string;
  /** 1, 2, 3, ... in the order executions started within the run; the key together with runId. */
  execution: number;
  stepId: string;
  itemIndex: number | null;
  /** The agent that produced the outcome (the fallback agent when it took over); null when skipped before resolution. */
  agent: string | null;
  action: string;
  status: StepStatus;
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  output: JsonValue | null;
  error: ErrorInfo | null;
  attemptLog: StepAttempt[];
}

/** A registered version of a workflow. */
export interface WorkflowVersionRecord {
  id: string;
  version: number;
  /** The definition as registered, with `version` filled in. */
  definition: WorkflowDefinition;
  /** Stable hash of the definition, used to avoid a new version when nothing changed. */
  hash: string;
  registeredAt: number;
}
