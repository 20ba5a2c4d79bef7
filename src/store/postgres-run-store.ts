/**
 * The RunStore for deployments that run several orquestra instances against one PostgreSQL database.
 *
 * A write batch is ONE statement: each table's rows travel as one JSON array parameter, expanded by
 * `json_to_recordset` and applied by data-modifying CTEs, so a batch of hundreds of rows is a single
 * round trip and a single implicit transaction (all of it or none of it). The statement is prepared
 * once per connection. Batches are applied in the order `write()` was called, as the engine expects
 * of a log, even though the pool could run them side by side.
 *
 * A run's events of a batch are one row (a chunk, see event-chunks.ts); the table's trigger refuses a
 * chunk that does not extend its run's log, writers of one run queuing on the run's row.
 *
 * Migrations run under an advisory lock so that instances starting together do not race, and
 * `saveWorkflow` retries when another instance registered the same version number first.
 */

import pg from 'pg';
import type { WorkflowDefinition } from '../engine/definition.ts';
import type { RunEvent } from '../engine/events.ts';
import type { JsonValue } from '../engine/json.ts';
import type { RunRecord, StepRunRecord, WorkflowVersionRecord } from '../engine/run.ts';
import type {
  RetentionPolicy,
  RunFilter,
  RunPage,
  RunPageRequest,
  RunStore,
  StoreBatch,
} from '../engine/store.ts';
import { chunkEvents, collectEvents, type EventTuple } from './event-chunks.ts';
import { checkMigrationList, checkNotNewer } from './migrations/migration.ts';
import { POSTGRES_MIGRATIONS } from './migrations/postgres.ts';
import {
  type FullRunRow,
  type RunRow,
  recordOf,
  type StepRow,
  stepOf,
  summaryOf,
  type WorkflowRow,
  workflowOf,
} from './postgres-rows.ts';
import { countQuery, type PostgresQuery, scanQuery } from './postgres-run-query.ts';
import {
  chunksJson,
  EVENT_CHUNKS_AFTER,
  EVENT_CHUNKS_UP_TO,
  FULL_RUN_SELECT,
  lastOfEachRun,
  lastOfEachStep,
  PRUNE_CUTOFF,
  PRUNE_FINISHED_BEFORE,
  PRUNE_UP_TO,
  PRUNE_WITHOUT_FINISH_TIME,
  WORKFLOW_COLUMNS,
  WRITE_BATCH,
} from './postgres-statements.ts';
import { countMatchingRuns, pageRuns, type RunScanner } from './run-pages.ts';
import {
  attemptedAgents,
  checkEventLimit,
  checkRetentionPolicy,
  PRUNE_BATCH_SIZE,
  storeClosed,
  writeFailed,
} from './store-support.ts';

export interface PostgresRunStoreOptions {
  /** A `postgres://` or `postgresql://` URL; `?schema=name` selects a schema, created if missing. */
  url: string;
  /** This process's identity, the owner of the runs it writes. Default `'default'`. */
  instanceId?: string;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits `?schema=` off a URL: the rest goes to `pg`, the schema to every connection's search_path. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | null } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new Error(
      `PostgreSQL schema "${schema}" is not a plain lowercase identifier (letters, digits and _, at most 63)`,
    );
  }
  return { connectionString: parsed.toString(), schema };
}

const INT8_OID = 20;
/** bigint columns (epoch ms, counts) come back as numbers; every value the store reads fits in 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Advisory lock taken while migrating: one key per schema, so that separate schemas do not wait on each other. */
const MIGRATION_LOCK_CLASS = 0x6f72_7175; // "orqu"

const UNIQUE_VIOLATION = '23505';
const SAVE_WORKFLOW_ATTEMPTS = 5;

/** A row of run_event_chunks as the reads select it; `events` null marks a look-ahead row. */
interface ChunkRow {
  first_seq: number;
  last_seq: number;
  events: EventTuple[] | null;
}

export class PostgresRunStore implements RunStore {
  readonly dialect = 'postgres' as const;
  readonly instanceId: string;
  /** The schema every connection uses, or null for the server's default search_path. */
  readonly schema: string | null;
  readonly #pool: pg.Pool;
  #closing: Promise<void> | null = null;
  /** The last write in flight; the next one starts when it settles. */
  #lastWrite: Promise<unknown> = Promise.resolve();
  readonly #scanner: RunScanner = {
    scanRuns: async (scan) => (await this.#query<RunRow>(scanQuery(scan))).map(summaryOf),
    countRuns: async (filter, range) =>
      (await this.#query<{ count: number }>(countQuery(filter, range)))[0]?.count ?? 0,
  };

  constructor(options: PostgresRunStoreOptions) {
    const { connectionString, schema } = parsePostgresUrl(options.url);
    this.instanceId = options.instanceId ?? 'default';
    this.schema = schema;
    this.#pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      types: TYPES,
      // A startup parameter: set on every pooled connection before its first query, at no extra cost.
      ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    this.#pool.on('error', () => {});
  }

  async #query<Row>(query: PostgresQuery | string, values?: unknown[]): Promise<Row[]> {
    if (this.#closing !== null) throw storeClosed(this.dialect);
    const result =
      typeof query === 'string'
        ? await this.#pool.query(query, values)
        : await this.#pool.query(query.text, query.values);
    return result.rows as Row[];
  }

  async migrate(): Promise<void> {
    if (this.#closing !== null) throw storeClosed(this.dialect);
    checkMigrationList('PostgreSQL', POSTGRES_MIGRATIONS);
    const client = await this.#pool.connect();
    const lockKey = `orquestra.migrate.${this.schema ?? ''}`;
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, lockKey]);
      try {
        if (this.schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version    integer NOT NULL PRIMARY KEY,
          name       text    NOT NULL,
          applied_at bigint  NOT NULL)`);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((row) => row.version));
        checkNotNewer('PostgreSQL', applied, POSTGRES_MIGRATIONS.length);
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(migration.sql);
            await client.query(
              'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
              [migration.version, migration.name, Date.now()],
            );
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, lockKey]);
      }
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closing ??= this.#lastWrite.then(() => this.#pool.end());
    return this.#closing;
  }

  write(batch: StoreBatch): Promise<void> {
    if (this.#closing !== null) return Promise.reject(storeClosed(this.dialect));
    // Serialised now: the engine goes on updating the records once write() returns.
    const steps = lastOfEachStep(batch.steps);
    let chunks: string;
    try {
      // Refuses a batch whose events of a run do not increase; the table's trigger checks the rest.
      chunks = chunksJson(chunkEvents(batch.events));
    } catch (error) {
      return Promise.reject(writeFailed(this.dialect, batch, error));
    }
    const values = [
      JSON.stringify(lastOfEachRun(batch.runs)),
      JSON.stringify(steps),
      JSON.stringify(attemptedAgents(steps)),
      chunks,
      this.instanceId,
      batch.statistics === undefined ? null : JSON.stringify(batch.statistics),
      Date.now(),
    ];
    const written = this.#lastWrite.then(() => this.#write(batch, values));
    this.#lastWrite = written.catch(() => {});
    return written;
  }

  async #write(batch: StoreBatch, values: unknown[]): Promise<void> {
    try {
      await this.#pool.query({ name: 'orquestra_write_batch', text: WRITE_BATCH, values });
    } catch (error) {
      throw writeFailed(this.dialect, batch, error);
    }
  }

  async saveWorkflow(
    definition: WorkflowDefinition,
    hash: string,
    registeredAt: number,
  ): Promise<{ record: WorkflowVersionRecord; created: boolean }> {
    for (let attempt = 1; attempt <= SAVE_WORKFLOW_ATTEMPTS; attempt++) {
      const latest = await this.getWorkflow(definition.id);
      if (latest !== null && latest.hash === hash) return { record: latest, created: false };
      const version = (latest?.version ?? 0) + 1;
      try {
        const rows = await this.#query<WorkflowRow>(
          `INSERT INTO workflow_versions (${WORKFLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5) RETURNING ${WORKFLOW_COLUMNS}`,
          [definition.id, version, hash, registeredAt, JSON.stringify({ ...definition, version })],
        );
        return { record: workflowOf(rows[0] as WorkflowRow), created: true };
      } catch (error) {
        // Another instance registered this version number first: look again at what is now latest.
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
    throw new Error(
      `saveWorkflow: ${definition.id} could not be registered after ${SAVE_WORKFLOW_ATTEMPTS} attempts, ` +
        'every one beaten by a concurrent registration',
    );
  }

  async getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null> {
    const rows =
      version === undefined
        ? await this.#query<WorkflowRow>(
            `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = $1 ORDER BY version DESC LIMIT 1`,
            [id],
          )
        : await this.#query<WorkflowRow>(
            `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = $1 AND version = $2`,
            [id, version],
          );
    return rows[0] === undefined ? null : workflowOf(rows[0]);
  }

  async listWorkflows(): Promise<WorkflowVersionRecord[]> {
    const rows = await this.#query<WorkflowRow>(
      `SELECT DISTINCT ON (workflow_id) ${WORKFLOW_COLUMNS} FROM workflow_versions ORDER BY workflow_id, version DESC`,
    );
    return rows.map(workflowOf);
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    const rows = await this.#query<WorkflowRow>(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflow_versions WHERE workflow_id = $1 ORDER BY version`,
      [id],
    );
    return rows.map(workflowOf);
  }

  async getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.#query<FullRunRow>(`${FULL_RUN_SELECT} WHERE r.id = ANY($1::text[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row === undefined ? null : recordOf(row);
    });
  }

  listRuns(request: RunPageRequest): Promise<RunPage> {
    return pageRuns(request, this.#scanner);
  }

  countRuns(filter: RunFilter): Promise<number> {
    return countMatchingRuns(filter, this.#scanner);
  }

  async getStepRuns(runIds: readonly string[]): Promise<StepRunRecord[][]> {
    if (runIds.length === 0) return [];
    const rows = await this.#query<StepRow>(
      `SELECT run_id, execution, step_id, item_index, agent, action, status, attempts, started_at, finished_at,
              duration_ms, error, attempt_log, output
       FROM step_runs WHERE run_id = ANY($1::text[]) ORDER BY run_id, execution`,
      [runIds],
    );
    const byRun = new Map<string, StepRunRecord[]>();
    for (const row of rows) {
      const steps = byRun.get(row.run_id) ?? [];
      steps.push(stepOf(row));
      byRun.set(row.run_id, steps);
    }
    // A run asked for twice gets its own copy each time.
    const handedOut = new Set<string>();
    return runIds.map((runId) => {
      const steps = byRun.get(runId) ?? [];
      if (!handedOut.has(runId)) {
        handedOut.add(runId);
        return steps;
      }
      return structuredClone(steps);
    });
  }

  async getEvents(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    checkEventLimit(limit);
    const events: RunEvent[] = [];
    if (limit === undefined) {
      const rows = await this.#query<ChunkRow>(EVENT_CHUNKS_AFTER, [runId, afterSeq]);
      for (const row of rows)
        collectEvents(runId, row.events ?? [], afterSeq, Number.POSITIVE_INFINITY, events);
      return events;
    }
    // The chunks that can hold the next `limit` events of a gapless log (the engine's: 1, 2, 3, ...)
    // come in one query. When a log has gaps, the query's last row says where it goes on: a chunk
    // reaching past the bound was read whole, a look-ahead starts further on.
    let cursor = afterSeq;
    while (events.length < limit) {
      const bound = cursor + limit - events.length;
      const rows = await this.#query<ChunkRow>(EVENT_CHUNKS_UP_TO, [runId, cursor, bound]);
      for (const row of rows) {
        if (row.events !== null && !collectEvents(runId, row.events, cursor, limit, events)) return events;
      }
      const last = rows[rows.length - 1];
      if (last === undefined || last.last_seq <= bound) return events;
      cursor = last.events === null ? last.first_seq - 1 : last.last_seq;
    }
    return events;
  }

  async getLastSeq(runId: string): Promise<number> {
    const rows = await this.#query<{ seq: number }>(
      'SELECT coalesce(max(last_seq), 0) AS seq FROM run_event_chunks WHERE run_id = $1',
      [runId],
    );
    return rows[0]?.seq ?? 0;
  }

  async listRunningRuns(): Promise<RunRecord[]> {
    const rows = await this.#query<FullRunRow>(
      `${FULL_RUN_SELECT} WHERE r.owner = $1 AND r.status = 'RUNNING' ORDER BY r.started_at, r.id`,
      [this.instanceId],
    );
    return rows.map(recordOf);
  }

  async prune(policy: RetentionPolicy): Promise<number> {
    checkRetentionPolicy(policy);
    const { finishedBefore, maxFinishedRuns } = policy;
    let deleted = 0;
    // One statement (one short transaction) per slice, so that writers are never held up for long.
    const inSlices = async (text: string, ...values: unknown[]) => {
      for (;;) {
        if (this.#closing !== null) return;
        const { rowCount } = await this.#pool.query(text, [values[0], PRUNE_BATCH_SIZE, ...values.slice(1)]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < PRUNE_BATCH_SIZE) return;
      }
    };
    if (finishedBefore !== undefined) {
      // finished_at holds whole ms (`< 1.5` keeps the same rows as `< 2`) within bigint's range.
      await inSlices(PRUNE_FINISHED_BEFORE, Math.min(9e18, Math.max(-9e18, Math.ceil(finishedBefore))));
    }
    if (maxFinishedRuns !== undefined) {
      const [cutoff] = await this.#query<{ finished_at: number | null; id: string }>(PRUNE_CUTOFF, [
        maxFinishedRuns,
      ]);
      if (cutoff !== undefined) {
        await inSlices(PRUNE_WITHOUT_FINISH_TIME, cutoff.finished_at === null ? cutoff.id : null);
        if (cutoff.finished_at !== null) await inSlices(PRUNE_UP_TO, cutoff.finished_at, cutoff.id);
      }
    }
    return deleted;
  }

  async loadStatistics(): Promise<JsonValue | null> {
    const rows = await this.#query<{ statistics: JsonValue }>(
      'SELECT statistics FROM instance_statistics WHERE instance_id = $1',
      [this.instanceId],
    );
    return rows[0] === undefined ? null : rows[0].statistics;
  }
}
