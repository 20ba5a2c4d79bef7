/**
 * PostgreSQL rows and the records they hold. `json` columns arrive parsed and bigint ones as numbers
 * (the pool's type parsers), so mapping is only renaming.
 */

import type { Pattern, WorkflowDefinition } from '../engine/definition.ts';
import type { ErrorInfo } from '../engine/errors.ts';
import type { RunStatus, StepStatus } from '../engine/events.ts';
import type { JsonValue } from '../engine/json.ts';
import type { RunRecord, StepAttempt, StepRunRecord, WorkflowVersionRecord } from '../engine/run.ts';
import type { RunSummary } from '../engine/store.ts';

export interface RunRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  pattern: string;
  status: string;
  error: ErrorInfo | null;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  triggered_by: string | null;
}

export interface FullRunRow extends RunRow {
  input: JsonValue | null;
  output: JsonValue | null;
}

export interface StepRow {
  run_id: string;
  execution: number;
  step_id: string;
  item_index: number | null;
  agent: string | null;
  action: string;
  status: string;
  attempts: number;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  error: ErrorInfo | null;
  attempt_log: StepAttempt[];
  output: JsonValue | null;
}

export interface WorkflowRow {
  workflow_id: string;
  version: number;
  hash: string;
  registered_at: number;
  definition: WorkflowDefinition;
}

export function summaryOf(row: RunRow): RunSummary {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    pattern: row.pattern as Pattern,
    status: row.status as RunStatus,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    triggeredBy: row.triggered_by,
  };
}

export const recordOf = (row: FullRunRow): RunRecord => ({
  ...summaryOf(row),
  input: row.input,
  output: row.output,
});

export function stepOf(row: StepRow): StepRunRecord {
  return {
    runId: row.run_id,
    execution: row.execution,
    stepId: row.step_id,
    itemIndex: row.item_index,
    agent: row.agent,
    action: row.action,
    status: row.status as StepStatus,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    output: row.output,
    error: row.error,
    attemptLog: row.attempt_log,
  };
}

export const workflowOf = (row: WorkflowRow): WorkflowVersionRecord => ({
  id: row.workflow_id,
  version: row.version,
  definition: row.definition,
  hash: row.hash,
  registeredAt: row.registered_at,
});
