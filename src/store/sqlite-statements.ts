/**
 * Every fixed SQLite statement of the store, prepared once per connection, and the multi-row insert
 * helper of the write path. Child tables take the run's integer key (see migrations/sqlite.ts).
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { RUN_SUMMARY_COLUMNS } from './sqlite-run-query.ts';

const FULL_RUN_SELECT = `SELECT ${RUN_SUMMARY_COLUMNS}, p.input, p.output FROM runs AS r LEFT JOIN run_payloads AS p ON p.run_key = r.key`;
const STEP_COLUMNS =
  'execution, step_id, item_index, agent, action, status, attempts, started_at, finished_at, ' +
  'duration_ms, error, attempt_log, output';
const WORKFLOW_COLUMNS = 'workflow_id, version, hash, registered_at, definition';
const KEY_OF_RUN = '(SELECT key FROM runs WHERE id = ?)';
export const RUN_WIDTH = 11;
export const PAYLOAD_WIDTH = 3;
export const STEP_WIDTH = 14;
export const AGENT_WIDTH = 4;
export const CHUNK_WIDTH = 4;
/**
 * Rows per multi-row INSERT. One statement execution per row costs more than the row itself once the
 * engine is busy (measured: 16 rows per statement are about a third cheaper than one at a time).
 */
export const ROWS_PER_STATEMENT = 16;
const placeholders = (rows: number, width: number) =>
  new Array(rows).fill(`(${new Array(width).fill('?').join(', ')})`).join(', ');
const RUN_COLUMNS =
  'id, workflow_id, workflow_version, pattern, status, owner, started_at, finished_at, duration_ms, ' +
  'triggered_by, error';
/** New runs; one that exists is left alone, and the caller finds out from the count of changes. */
const RUN_INSERT = (rows: number) =>
  `INSERT INTO runs (${RUN_COLUMNS}) VALUES ${placeholders(rows, RUN_WIDTH)} ON CONFLICT (id) DO NOTHING`;
const PAYLOAD_INSERT = (rows: number) =>
  `INSERT INTO run_payloads (run_key, input, output) VALUES ${placeholders(rows, PAYLOAD_WIDTH)}`;
const AGENT_INSERT = (rows: number) => `
  INSERT INTO run_agents (run_key, agent, started_at, run_id) VALUES ${placeholders(rows, AGENT_WIDTH)}
  ON CONFLICT (run_key, agent) DO NOTHING`;
const STEP_UPSERT = (rows: number) => `
  INSERT INTO step_runs (run_key, ${STEP_COLUMNS})
  VALUES ${placeholders(rows, STEP_WIDTH)}
  ON CONFLICT (run_key, execution) DO UPDATE SET
    step_id = excluded.step_id, item_index = excluded.item_index, agent = excluded.agent,
    action = excluded.action, status = excluded.status, attempts = excluded.attempts,
    started_at = excluded.started_at, finished_at = excluded.finished_at,
    duration_ms = excluded.duration_ms, error = excluded.error, attempt_log = excluded.attempt_log,
    output = excluded.output`;
const CHUNK_INSERT = (rows: number) =>
  `INSERT INTO run_event_chunks (run_key, first_seq, last_seq, events) VALUES ${placeholders(rows, CHUNK_WIDTH)}`;

/** Binds rows into statements of ROWS_PER_STATEMENT rows, then the remainder one by one. */
export function insertRows<T>(
  rows: readonly T[],
  width: number,
  many: StatementSync,
  one: StatementSync,
  bind: (row: T, params: SQLInputValue[], offset: number) => void,
): void {
  let i = 0;
  if (rows.length >= ROWS_PER_STATEMENT) {
    const params = new Array<SQLInputValue>(ROWS_PER_STATEMENT * width);
    for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
      for (let k = 0; k < ROWS_PER_STATEMENT; k++) bind(rows[i + k] as T, params, k * width);
      many.run(...params);
    }
  }
  const params = new Array<SQLInputValue>(width);
  for (; i < rows.length; i++) {
    bind(rows[i] as T, params, 0);
    one.run(...params);
  }
}

/** Every fixed statement, prepared once after the schema exists. */
export function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string) => db.prepare(sql);
  return {
    begin: prepare('BEGIN IMMEDIATE'),
    commit: prepare('COMMIT'),
    rollback: prepare('ROLLBACK'),
    dataVersion: prepare('PRAGMA data_version'),
    insertRun: prepare(RUN_INSERT(1)),
    insertRuns: prepare(RUN_INSERT(ROWS_PER_STATEMENT)),
    upsertRun: prepare(`
      INSERT INTO runs (${RUN_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        workflow_id = excluded.workflow_id, workflow_version = excluded.workflow_version,
        pattern = excluded.pattern, status = excluded.status, owner = excluded.owner,
        started_at = excluded.started_at, finished_at = excluded.finished_at,
        duration_ms = excluded.duration_ms, triggered_by = excluded.triggered_by, error = excluded.error
      RETURNING key`),
    updateRun: prepare(
      'UPDATE runs SET status = ?, owner = ?, finished_at = ?, duration_ms = ?, error = ? WHERE key = ?',
    ),
    runKey: prepare('SELECT key, started_at AS startedAt FROM runs WHERE id = ?'),
    updateOutput: prepare('UPDATE run_payloads SET output = ? WHERE run_key = ?'),
    insertPayload: prepare(PAYLOAD_INSERT(1)),
    insertPayloads: prepare(PAYLOAD_INSERT(ROWS_PER_STATEMENT)),
    upsertPayload: prepare(`
      INSERT INTO run_payloads (run_key, input, output) VALUES (?, ?, ?)
      ON CONFLICT (run_key) DO UPDATE SET output = excluded.output`),
    upsertStep: prepare(STEP_UPSERT(1)),
    upsertSteps: prepare(STEP_UPSERT(ROWS_PER_STATEMENT)),
    insertAgent: prepare(AGENT_INSERT(1)),
    insertAgents: prepare(AGENT_INSERT(ROWS_PER_STATEMENT)),
    insertChunk: prepare(CHUNK_INSERT(1)),
    insertChunks: prepare(CHUNK_INSERT(ROWS_PER_STATEMENT)),
    saveStatistics: prepare(`
      INSERT INTO instance_statistics (instance_id, statistics, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (instance_id) DO UPDATE SET statistics = excluded.statistics, updated_at = excluded.updated_at`),
    loadStatistics: prepare('SELECT statistics FROM instance_statistics WHERE instance_id = ?'),
    latestWorkflow: prepare(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC LIMIT 1`,
    ),
    workflowVersion: prepare(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = ? AND version = ?`,
    ),
    insertWorkflow: prepare(`INSERT INTO workflow_versions (${WORKFLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
    latestWorkflows: prepare(`
      SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions AS w
      WHERE version = (SELECT max(version) FROM workflow_versions WHERE workflow_id = w.workflow_id)
      ORDER BY workflow_id`),
    workflowVersions: prepare(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = ? ORDER BY version`,
    ),
    run: prepare(`${FULL_RUN_SELECT} WHERE r.id = ?`),
    runningRuns: prepare(
      `${FULL_RUN_SELECT} WHERE r.owner = ? AND r.status = 'RUNNING' ORDER BY r.started_at, r.id`,
    ),
    steps: prepare(`SELECT ${STEP_COLUMNS} FROM step_runs WHERE run_key = ${KEY_OF_RUN} ORDER BY execution`),
    // Chunks never overlap, so those ending after afterSeq are exactly the ones holding later events;
    // the reader stops iterating once it has its limit.
    chunks: prepare(
      `SELECT events FROM run_event_chunks WHERE run_key = ${KEY_OF_RUN} AND last_seq > ? ORDER BY last_seq`,
    ),
    lastSeqOfKey: prepare('SELECT coalesce(max(last_seq), 0) AS seq FROM run_event_chunks WHERE run_key = ?'),
    lastSeq: prepare(
      `SELECT coalesce(max(last_seq), 0) AS seq FROM run_event_chunks WHERE run_key = ${KEY_OF_RUN}`,
    ),
    // ON DELETE CASCADE removes the steps, event chunks, agents and payload of each deleted run.
    pruneFinishedBefore: prepare(`
      DELETE FROM runs WHERE key IN (
        SELECT key FROM runs WHERE status <> 'RUNNING' AND finished_at < ? ORDER BY finished_at, id LIMIT ?)`),
    // Keeping the newest N finished runs: the newest run that goes is found once (NULL sorts lowest,
    // so a finished run without finishedAt counts as the oldest), then everything up to it is deleted
    // in slices. An OFFSET in every slice would walk the N kept runs again each time.
    pruneCutoff: prepare(`
      SELECT finished_at AS finishedAt, id FROM runs WHERE status <> 'RUNNING'
      ORDER BY finished_at DESC, id DESC LIMIT 1 OFFSET ?`),
    pruneWithoutFinishTime: prepare(`
      DELETE FROM runs WHERE key IN (
        SELECT key FROM runs WHERE status <> 'RUNNING' AND finished_at IS NULL AND (?1 IS NULL OR id <= ?1)
        ORDER BY id LIMIT ?2)`),
    pruneUpTo: prepare(`
      DELETE FROM runs WHERE key IN (
        SELECT key FROM runs WHERE status <> 'RUNNING' AND (finished_at, id) <= (?, ?)
        ORDER BY finished_at, id LIMIT ?)`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
