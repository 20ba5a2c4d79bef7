/**
 * SQLite rows and the records they hold: JSON columns are TEXT, times INTEGER epoch ms. Kept apart
 * from the store so that the store reads as what it does rather than how columns map.
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
  error: string | null;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  triggered_by: string | null;
}

export interface FullRunRow extends RunRow {
  input: string | null;
  output: string | null;
}

export interface StepRow {
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
  error: string | null;
  attempt_log: string;
  output: string | null;
}

export interface WorkflowRow {
  workflow_id: string;
  version: number;
  hash: string;
  registered_at: number;
  definition: string;
}

export const json = (value: JsonValue | ErrorInfo | StepAttempt[]): string => JSON.stringify(value);
export const nullableJson = (value: JsonValue | ErrorInfo | null | undefined): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);
export const parse = <T>(text: string): T => JSON.parse(text) as T;
const parseNullable = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function summaryOf(row: RunRow): RunSummary {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    pattern: row.pattern as Pattern,
    status: row.status as RunStatus,
    error: parseNullable<ErrorInfo>(row.error),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    triggeredBy: row.triggered_by,
  };
}

export function recordOf(row: FullRunRow): RunRecord {
  return {
    ...summaryOf(row),
    input: parseNullable<JsonValue>(row.input),
    output: parseNullable<JsonValue>(row.output),
  };
}

export function stepOf(runId: string, row: StepRow): StepRunRecord {
  return {
    runId,
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
    output: parseNullable<JsonValue>(row.output),
    error: parseNullable<ErrorInfo>(row.error),
    attemptLog: parse<StepAttempt[]>(row.attempt_log),
  };
}

export function workflowOf(row: WorkflowRow): WorkflowVersionRecord {
  return {
    id: row.workflow_id,
    version: row.version,
    definition: parse<WorkflowDefinition>(row.definition),
    hash: row.hash,
    registeredAt: row.registered_at,
  };
}
