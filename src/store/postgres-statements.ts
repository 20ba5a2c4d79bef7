/**
 * The PostgreSQL store's larger statements: the one-statement write batch and the prune slices.
 */

import type { RunRecord, StepRunRecord } from '../engine/run.ts';
import type { EventChunk } from './event-chunks.ts';
import { RUN_SUMMARY_COLUMNS } from './postgres-run-query.ts';

/**
 * The whole batch in one statement. $1..$3 are JSON arrays of the batch's runs, steps and (run, agent)
 * pairs, exactly as the engine shaped them (camelCase keys), $4 one of event chunks (see
 * `chunksJson`); $5 is the owner, $6 the statistics snapshot (SQL NULL when the batch has none), $7
 * the time it was written. Chunks go in in array order, which is seq order within each run, as the
 * table's trigger wants.
 *
 * Instants arrive as double precision and are rounded into bigint, so that a fractional millisecond
 * cannot fail a batch. A (run, agent) pair takes the run's startedAt from the batch or, for a run
 * written earlier, from the table (the CTEs all see the table as it was before the statement).
 */
export const WRITE_BATCH = `
WITH batch_runs AS (
  SELECT * FROM json_to_recordset($1::json) AS r (
    id text, "workflowId" text, "workflowVersion" integer, pattern text, status text, input json,
    output json, error json, "startedAt" double precision, "finishedAt" double precision,
    "durationMs" double precision, "triggeredBy" text)
), upserted_runs AS (
  INSERT INTO runs (id, workflow_id, workflow_version, pattern, status, owner, started_at, finished_at,
                    duration_ms, triggered_by, error)
  SELECT id, "workflowId", "workflowVersion", pattern, status, $5, "startedAt"::bigint, "finishedAt"::bigint,
         "durationMs", "triggeredBy", error
  FROM batch_runs
  ON CONFLICT (id) DO UPDATE SET
    workflow_id = excluded.workflow_id, workflow_version = excluded.workflow_version,
    pattern = excluded.pattern, status = excluded.status, owner = excluded.owner,
    started_at = excluded.started_at, finished_at = excluded.finished_at,
    duration_ms = excluded.duration_ms, triggered_by = excluded.triggered_by, error = excluded.error
), upserted_payloads AS (
  INSERT INTO run_payloads (run_id, input, output)
  SELECT id, input, output FROM batch_runs
  ON CONFLICT (run_id) DO UPDATE SET output = excluded.output
), upserted_steps AS (
  INSERT INTO step_runs (run_id, execution, step_id, item_index, agent, action, status, attempts,
                         started_at, finished_at, duration_ms, error, attempt_log, output)
  SELECT "runId", execution, "stepId", "itemIndex", agent, action, status, attempts,
         "startedAt"::bigint, "finishedAt"::bigint, "durationMs", error, "attemptLog", output
  FROM json_to_recordset($2::json) AS s (
    "runId" text, execution integer, "stepId" text, "itemIndex" integer, agent text, action text,
    status text, attempts integer, "startedAt" double precision, "finishedAt" double precision,
    "durationMs" double precision, error json, "attemptLog" json, output json)
  ON CONFLICT (run_id, execution) DO UPDATE SET
    step_id = excluded.step_id, item_index = excluded.item_index, agent = excluded.agent,
    action = excluded.action, status = excluded.status, attempts = excluded.attempts,
    started_at = excluded.started_at, finished_at = excluded.finished_at,
    duration_ms = excluded.duration_ms, error = excluded.error, attempt_log = excluded.attempt_log,
    output = excluded.output
), inserted_agents AS (
  INSERT INTO run_agents (run_id, agent, started_at)
  SELECT "runId", agent, started_at FROM (
    SELECT a."runId", a.agent,
           -- COALESCE stops at the first non-null: the table is only looked up for runs not in the batch.
           coalesce(b."startedAt"::bigint, (SELECT r.started_at FROM runs AS r WHERE r.id = a."runId")) AS started_at
    FROM json_to_recordset($3::json) AS a ("runId" text, agent text)
    LEFT JOIN batch_runs AS b ON b.id = a."runId"
  ) AS pairs
  -- An unknown run is left to the steps' foreign key, which names the problem.
  WHERE started_at IS NOT NULL
  ON CONFLICT (run_id, agent) DO NOTHING
), inserted_chunks AS (
  INSERT INTO run_event_chunks (run_id, first_seq, last_seq, events)
  SELECT "runId", "firstSeq", "lastSeq", events
  FROM ROWS FROM (json_to_recordset($4::json) AS (
    "runId" text, "firstSeq" integer, "lastSeq" integer, events json)) WITH ORDINALITY AS c
  ORDER BY c.ordinality
), saved_statistics AS (
  INSERT INTO instance_statistics (instance_id, statistics, updated_at)
  SELECT $5, $6::text::json, $7 WHERE $6::text IS NOT NULL
  ON CONFLICT (instance_id) DO UPDATE SET statistics = excluded.statistics, updated_at = excluded.updated_at
)
SELECT 1`;

/**
 * ON CONFLICT cannot touch one row twice in a statement, so a batch naming a run (or a step) twice is
 * reduced to its last record, which is what applying the records one after the other would leave.
 * The input is the first record's: it is written when the run is inserted.
 */
export function lastOfEachRun(runs: readonly RunRecord[]): readonly RunRecord[] {
  const byId = new Map<string, RunRecord>();
  for (const run of runs) {
    const first = byId.get(run.id);
    byId.set(run.id, first === undefined ? run : { ...run, input: first.input });
  }
  return byId.size === runs.length ? runs : [...byId.values()];
}

export function lastOfEachStep(steps: readonly StepRunRecord[]): readonly StepRunRecord[] {
  const byKey = new Map<string, StepRunRecord>();
  for (const step of steps) byKey.set(`${step.runId}\u0000${step.execution}`, step);
  return byKey.size === steps.length ? steps : [...byKey.values()];
}

/** Chunks as the JSON array $4 of WRITE_BATCH: their events are JSON already, so no second encoding. */
export function chunksJson(chunks: readonly EventChunk[]): string {
  let json = '[';
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as EventChunk;
    json += `${i === 0 ? '' : ','}{"runId":${JSON.stringify(chunk.runId)},"firstSeq":${chunk.firstSeq},"lastSeq":${chunk.lastSeq},"events":${chunk.events}}`;
  }
  return `${json}]`;
}

/**
 * A run's chunks overlapping (afterSeq, bound], in order, and the first chunk after them: with its
 * events when it still starts at or below the bound, with NULL events (a look-ahead, not parsed)
 * when it starts above it. Both parts are ranges of the (run_id, last_seq) key.
 */
export const EVENT_CHUNKS_UP_TO = `
SELECT first_seq, last_seq, events FROM run_event_chunks
WHERE run_id = $1 AND last_seq > $2::bigint AND last_seq <= $3::bigint
UNION ALL
(SELECT first_seq, last_seq, CASE WHEN first_seq <= $3::bigint THEN events END FROM run_event_chunks
 WHERE run_id = $1 AND last_seq > $3::bigint ORDER BY last_seq LIMIT 1)
ORDER BY last_seq`;

export const EVENT_CHUNKS_AFTER = `
SELECT first_seq, last_seq, events FROM run_event_chunks WHERE run_id = $1 AND last_seq > $2::bigint
ORDER BY last_seq`;

export const FULL_RUN_SELECT = `SELECT ${RUN_SUMMARY_COLUMNS}, p.input, p.output FROM runs AS r LEFT JOIN run_payloads AS p ON p.run_id = r.id`;
export const WORKFLOW_COLUMNS = 'workflow_id, version, hash, registered_at, definition';

/** Deletes a slice of finished runs and everything that hangs off them, in one statement. */
const deleteRuns = (doomed: string) => `
WITH doomed AS (${doomed}),
  deleted_chunks AS (DELETE FROM run_event_chunks WHERE run_id IN (SELECT id FROM doomed)),
  deleted_steps AS (DELETE FROM step_runs WHERE run_id IN (SELECT id FROM doomed)),
  deleted_agents AS (DELETE FROM run_agents WHERE run_id IN (SELECT id FROM doomed)),
  deleted_payloads AS (DELETE FROM run_payloads WHERE run_id IN (SELECT id FROM doomed))
DELETE FROM runs WHERE id IN (SELECT id FROM doomed)`;

export const PRUNE_FINISHED_BEFORE = deleteRuns(`
  SELECT id FROM runs WHERE status <> 'RUNNING' AND finished_at < $1
  ORDER BY finished_at NULLS FIRST, id LIMIT $2 FOR UPDATE`);
// Keeping the newest N finished runs: the newest run that goes is found once (a finished run without
// finishedAt counts as the oldest), then everything up to it goes in slices. An OFFSET in the slices
// would walk, and with FOR UPDATE lock, the N kept runs every time.
export const PRUNE_CUTOFF = `
  SELECT finished_at, id FROM runs WHERE status <> 'RUNNING'
  ORDER BY finished_at DESC NULLS LAST, id DESC OFFSET $1 LIMIT 1`;
export const PRUNE_WITHOUT_FINISH_TIME = deleteRuns(`
  SELECT id FROM runs WHERE status <> 'RUNNING' AND finished_at IS NULL AND ($1::text IS NULL OR id <= $1)
  ORDER BY id LIMIT $2 FOR UPDATE`);
export const PRUNE_UP_TO = deleteRuns(`
  SELECT id FROM runs WHERE status <> 'RUNNING' AND (finished_at, id) <= ($1::bigint, $3::text)
  ORDER BY finished_at NULLS FIRST, id LIMIT $2 FOR UPDATE`);
