/**
 * The default RunStore: one SQLite file through Node's built-in `node:sqlite`, no native dependency.
 *
 * The engine sends a batch per event-loop turn, so `write()` is on its hot path: every statement is
 * prepared once, a batch is one transaction, and the per-row work is a JSON.stringify of the JSON
 * columns and one bound statement. A run's events of a batch are one row (a chunk, see
 * event-chunks.ts). Child rows reference runs by an integer key that the store caches per run id,
 * with the run's last seq, and a (run, agent) pair already recorded is not inserted again; the caches
 * are dropped whenever another connection has written to the file. WAL with synchronous=NORMAL
 * makes a commit an append to the WAL without an fsync; see `docs/store.md` for what that means
 * after a crash.
 *
 * `node:sqlite` is synchronous: queries run on the calling thread. They are short (index range scans
 * bounded by a page size), which is cheaper than handing them to a worker thread.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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
import { collectEvents, type EventTuple } from './event-chunks.ts';
import { checkMigrationList, checkNotNewer } from './migrations/migration.ts';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.ts';
import { countMatchingRuns, pageRuns, type RunScanner } from './run-pages.ts';
import { type Learned, SqliteBatchWriter } from './sqlite-batch-writer.ts';
import { BackgroundCheckpointer } from './sqlite-checkpointer.ts';
import {
  type FullRunRow,
  parse,
  type RunRow,
  recordOf,
  type StepRow,
  stepOf,
  summaryOf,
  type WorkflowRow,
  workflowOf,
} from './sqlite-rows.ts';
import { countQuery, type SqliteQuery, scanQuery } from './sqlite-run-query.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';
import {
  checkEventLimit,
  checkRetentionPolicy,
  PRUNE_BATCH_SIZE,
  storeClosed,
  writeFailed,
  yieldToEventLoop,
} from './store-support.ts';

export interface SqliteRunStoreOptions {
  /** The database file (its directory is created if missing), or `:memory:`. */
  path: string;
  /** This process's identity, the owner of the runs it writes. Default `'default'`. */
  instanceId?: string;
  /** How long a statement waits for another process's write lock before failing, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Page cache size in KiB. Default 32768 (32 MiB). */
  cacheSizeKiB?: number;
  /**
   * Checkpoint the WAL from a worker thread rather than inside commits (file databases only). Halves
   * the cost of a write batch on the event loop. Default true.
   */
  checkpointInBackground?: boolean;
}

/** How often the background checkpointer looks at the WAL. */
const CHECKPOINT_INTERVAL_MS = 200;
/** WAL pages (4 KiB) after which a commit checkpoints by itself, should the background one fall behind. */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/** Bounds the cache of list and count statements, whose SQL varies with the filter's shape. */
const QUERY_CACHE_SIZE = 256;
export class SqliteRunStore implements RunStore {
  readonly dialect = 'sqlite' as const;
  readonly instanceId: string;
  readonly path: string;
  readonly #db: DatabaseSync;
  #statements: Statements | null = null;
  readonly #queries = new Map<string, StatementSync>();
  readonly #writer: SqliteBatchWriter;
  readonly #checkpointer: BackgroundCheckpointer | null = null;
  #closed = false;
  readonly #scanner: RunScanner = {
    scanRuns: async (scan) => this.#all<RunRow>(scanQuery(scan)).map(summaryOf),
    countRuns: async (filter, range) =>
      this.#all<{ count: number }>(countQuery(filter, range))[0]?.count ?? 0,
  };

  constructor(options: SqliteRunStoreOptions) {
    this.path = options.path;
    this.instanceId = options.instanceId ?? 'default';
    this.#writer = new SqliteBatchWriter(this.instanceId);
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new DatabaseSync(options.path, {
      enableForeignKeyConstraints: true,
      timeout: options.busyTimeoutMs ?? 5000,
    });
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA foreign_keys = ON;
      PRAGMA temp_store = MEMORY;
      PRAGMA cache_size = -${options.cacheSizeKiB ?? 32768};
      PRAGMA journal_size_limit = ${64 * 1024 * 1024};`);
    if (options.path !== ':memory:' && (options.checkpointInBackground ?? true)) {
      // The automatic checkpoint stays on, at a high threshold, as a backstop for the worker.
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.#checkpointer = new BackgroundCheckpointer(options.path, CHECKPOINT_INTERVAL_MS);
    }
  }

  /** The fixed statements; prepared on first use, once `migrate()` has created the tables. */
  #s(): Statements {
    if (this.#closed) throw storeClosed(this.dialect);
    this.#statements ??= prepareStatements(this.#db);
    return this.#statements;
  }

  #all<Row>(query: SqliteQuery): Row[] {
    if (this.#closed) throw storeClosed(this.dialect);
    let statement = this.#queries.get(query.sql);
    if (statement === undefined) {
      if (this.#queries.size >= QUERY_CACHE_SIZE) {
        this.#queries.delete(this.#queries.keys().next().value as string);
      }
      statement = this.#db.prepare(query.sql);
      this.#queries.set(query.sql, statement);
    }
    return statement.all(...query.params) as unknown as Row[];
  }

  /** Runs `work` in one IMMEDIATE transaction (the write lock taken up front, so it cannot deadlock). */
  #transaction<T>(work: (s: Statements) => T): T {
    const s = this.#s();
    s.begin.run();
    try {
      const result = work(s);
      s.commit.run();
      return result;
    } catch (error) {
      if (this.#db.isTransaction) s.rollback.run();
      throw error;
    }
  }

  async migrate(): Promise<void> {
    if (this.#closed) throw storeClosed(this.dialect);
    checkMigrationList('SQLite', SQLITE_MIGRATIONS);
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER NOT NULL PRIMARY KEY,
        name       TEXT    NOT NULL,
        applied_at INTEGER NOT NULL)`);
      const rows = db.prepare('SELECT version FROM schema_migrations').all() as unknown as {
        version: number;
      }[];
      const applied = new Set(rows.map((row) => row.version));
      checkNotNewer('SQLite', applied, SQLITE_MIGRATIONS.length);
      const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      for (const migration of SQLITE_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    // Refreshes the planner's statistics when they are stale; cheap thanks to analysis_limit.
    db.exec('PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;');
  }

  async ping(): Promise<void> {
    if (this.#closed) throw storeClosed(this.dialect);
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queries.clear();
    this.#statements = null;
    // The worker's connection goes first, so that the main one is the last and removes the WAL.
    await this.#checkpointer?.stop();
    if (this.#db.isOpen) {
      try {
        this.#db.exec('PRAGMA optimize');
      } finally {
        this.#db.close();
      }
    }
  }

  async write(batch: StoreBatch): Promise<void> {
    let learned: Learned;
    try {
      learned = this.#transaction((s) => this.#writer.apply(s, batch));
    } catch (error) {
      // Nothing of the batch was kept, so what it taught the caches may be wrong: start afresh.
      this.#writer.forget();
      throw writeFailed(this.dialect, batch, error);
    }
    this.#writer.remember(learned);
  }

  async saveWorkflow(
    definition: WorkflowDefinition,
    hash: string,
    registeredAt: number,
  ): Promise<{ record: WorkflowVersionRecord; created: boolean }> {
    // IMMEDIATE serialises registrations across processes sharing the file: read-then-insert is safe.
    return this.#transaction((s) => {
      const latestRow = s.latestWorkflow.get(definition.id) as unknown as WorkflowRow | undefined;
      if (latestRow !== undefined && latestRow.hash === hash) {
        return { record: workflowOf(latestRow), created: false };
      }
      const version = (latestRow?.version ?? 0) + 1;
      const record: WorkflowVersionRecord = {
        id: definition.id,
        version,
        definition: { ...definition, version },
        hash,
        registeredAt,
      };
      s.insertWorkflow.run(record.id, version, hash, registeredAt, JSON.stringify(record.definition));
      // Returned through JSON like every read, so the caller never shares objects with the store.
      return {
        record: { ...record, definition: parse<WorkflowDefinition>(JSON.stringify(record.definition)) },
        created: true,
      };
    });
  }

  async getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null> {
    const s = this.#s();
    const row = (version === undefined
      ? s.latestWorkflow.get(id)
      : s.workflowVersion.get(id, version)) as unknown as WorkflowRow | undefined;
    return row === undefined ? null : workflowOf(row);
  }

  async listWorkflows(): Promise<WorkflowVersionRecord[]> {
    return (this.#s().latestWorkflows.all() as unknown as WorkflowRow[]).map(workflowOf);
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    return (this.#s().workflowVersions.all(id) as unknown as WorkflowRow[]).map(workflowOf);
  }

  async getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    const s = this.#s();
    return ids.map((id) => {
      const row = s.run.get(id) as unknown as FullRunRow | undefined;
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
    const s = this.#s();
    return runIds.map((runId) =>
      (s.steps.all(runId) as unknown as StepRow[]).map((row) => stepOf(runId, row)),
    );
  }

  async getEvents(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    checkEventLimit(limit);
    const events: RunEvent[] = [];
    const wanted = limit ?? Number.POSITIVE_INFINITY;
    if (wanted === 0) return events;
    // Lazily: breaking out of the loop resets the statement, so no chunk past the limit is read.
    for (const row of this.#s().chunks.iterate(runId, afterSeq)) {
      const tuples = parse<EventTuple[]>((row as unknown as { events: string }).events);
      if (!collectEvents(runId, tuples, afterSeq, wanted, events)) break;
    }
    return events;
  }

  async getLastSeq(runId: string): Promise<number> {
    return (this.#s().lastSeq.get(runId) as unknown as { seq: number }).seq;
  }

  async listRunningRuns(): Promise<RunRecord[]> {
    return (this.#s().runningRuns.all(this.instanceId) as unknown as FullRunRow[]).map(recordOf);
  }

  async prune(policy: RetentionPolicy): Promise<number> {
    checkRetentionPolicy(policy);
    const s = this.#s();
    const { finishedBefore, maxFinishedRuns } = policy;
    let deleted = 0;
    // One short transaction per slice, yielding in between so that the engine's writes are not held
    // up. `changes` counts the runs only, not the rows their deletion cascaded to.
    const inSlices = async (deleteSlice: () => number) => {
      for (;;) {
        const count = deleteSlice();
        deleted += count;
        if (count < PRUNE_BATCH_SIZE || this.#closed) return;
        await yieldToEventLoop();
        if (this.#closed) return;
      }
    };
    if (finishedBefore !== undefined) {
      await inSlices(() => Number(s.pruneFinishedBefore.run(finishedBefore, PRUNE_BATCH_SIZE).changes));
    }
    if (maxFinishedRuns !== undefined) {
      const cutoff = s.pruneCutoff.get(maxFinishedRuns) as
        | { finishedAt: number | null; id: string }
        | undefined;
      if (cutoff !== undefined) {
        const upToId = cutoff.finishedAt === null ? cutoff.id : null;
        await inSlices(() => Number(s.pruneWithoutFinishTime.run(upToId, PRUNE_BATCH_SIZE).changes));
        if (cutoff.finishedAt !== null) {
          const { finishedAt, id } = cutoff;
          await inSlices(() => Number(s.pruneUpTo.run(finishedAt, id, PRUNE_BATCH_SIZE).changes));
        }
      }
    }
    if (deleted > 0) this.#writer.forget();
    return deleted;
  }

  async loadStatistics(): Promise<JsonValue | null> {
    const row = this.#s().loadStatistics.get(this.instanceId) as unknown as
      | { statistics: string }
      | undefined;
    return row === undefined ? null : parse<JsonValue>(row.statistics);
  }
}
