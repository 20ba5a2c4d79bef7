/**
 * Migration 002 (event log as chunks) on a database that migration 001 created and that holds events
 * written one row each, as the stores did before: every event must come through, in order, and the
 * log must go on growing (and refusing what does not extend it) afterwards. SQLite always; PostgreSQL
 * when ORQUESTRA_TEST_POSTGRES_URL names a server.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import type { RunRecord } from '../../src/engine/run.ts';
import type { RunStore } from '../../src/engine/store.ts';
import { MAX_CHUNK_EVENTS } from '../../src/store/event-chunks.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { eventRecord, finished, runRecord, T0 } from './run-fixtures.ts';

/** What the version-1 database holds: runs and their events, one row per event. */
interface V1Content {
  runs: RunRecord[];
  events: RunEvent[];
}

function v1Content(): V1Content {
  const long = Array.from({ length: 600 }, (_, i) => eventRecord('long', i + 1));
  const odd = [
    eventRecord('odd', 1, { type: 'RUN_STARTED', stepId: null, agent: null, attempt: null, data: null }),
    eventRecord('odd', 2, {
      message: 'ação "citada" \\ barra, emoji 🚀 and a\nnewline',
      data: { nested: { list: [1, 'two', null, true, 2.5], empty: {} }, text: '{"not":"json"}' },
    }),
    eventRecord('odd', 7, { at: T0 + 1_000_000_000 }),
  ];
  return {
    runs: [
      finished(runRecord('long', { startedAt: T0 }), 'COMPLETED', T0 + 100),
      runRecord('odd', { startedAt: T0 + 1 }),
      runRecord('silent', { startedAt: T0 + 2 }),
    ],
    events: [...long, ...odd],
  };
}

/** Both dialects, seen through what the test needs of them. */
interface Dialect {
  /** Creates a database at schema version 1 holding `content`, as the version-1 stores wrote it. */
  seedV1(content: V1Content): Promise<void>;
  openStore(): Promise<RunStore>;
  /** The chunk rows, as (run id, first seq, last seq), in order. */
  chunks(): Promise<[string, number, number][]>;
  tables(): Promise<string[]>;
  dispose(): Promise<void>;
}

function sqliteDialect(): Dialect {
  const directory = mkdtempSync(join(tmpdir(), 'orquestra-migration-'));
  const path = join(directory, 'runs.db');
  const query = <Row>(sql: string): Row[] => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return db.prepare(sql).all() as unknown as Row[];
    } finally {
      db.close();
    }
  };
  return {
    async seedV1({ runs, events }) {
      const db = new DatabaseSync(path);
      try {
        const v1 = SQLITE_MIGRATIONS[0];
        if (v1 === undefined) throw new Error('no migration 1');
        db.exec(`CREATE TABLE schema_migrations (
          version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
        db.exec(v1.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(v1.name);
        const insertRun = db.prepare(`
          INSERT INTO runs (id, workflow_id, workflow_version, pattern, status, owner, started_at,
                            finished_at, duration_ms, triggered_by, error)
          VALUES (?, ?, ?, ?, ?, 'default', ?, ?, ?, ?, NULL) RETURNING key`);
        const insertPayload = db.prepare(
          'INSERT INTO run_payloads (run_key, input, output) VALUES (?, ?, ?)',
        );
        const insertEvent = db.prepare(`
          INSERT INTO run_events (run_key, seq, type, at, step_id, agent, attempt, message, data)
          VALUES ((SELECT key FROM runs WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?)`);
        db.exec('BEGIN');
        for (const run of runs) {
          const { key } = insertRun.get(
            run.id,
            run.workflowId,
            run.workflowVersion,
            run.pattern,
            run.status,
            run.startedAt,
            run.finishedAt,
            run.durationMs,
            run.triggeredBy,
          ) as { key: number };
          insertPayload.run(key, JSON.stringify(run.input), JSON.stringify(run.output));
        }
        for (const e of events) {
          insertEvent.run(
            e.runId,
            e.seq,
            e.type,
            e.at,
            e.stepId,
            e.agent,
            e.attempt,
            e.message,
            e.data === null ? null : JSON.stringify(e.data),
          );
        }
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
    openStore: () => openRunStore(`sqlite:${path}`),
    async chunks() {
      return query<{ id: string; first_seq: number; last_seq: number }>(`
        SELECT r.id, c.first_seq, c.last_seq FROM run_event_chunks AS c JOIN runs AS r ON r.key = c.run_key
        ORDER BY r.id, c.last_seq`).map((row) => [row.id, row.first_seq, row.last_seq]);
    },
    async tables() {
      return query<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      ).map((row) => row.name);
    },
    async dispose() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const POSTGRES_URL = process.env.ORQUESTRA_TEST_POSTGRES_URL;

function postgresDialect(): Dialect {
  const schema = `orquestra_migration_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path=${schema}` });
  const url = new URL(POSTGRES_URL as string);
  url.searchParams.set('schema', schema);
  return {
    async seedV1({ runs, events }) {
      const v1 = POSTGRES_MIGRATIONS[0];
      if (v1 === undefined) throw new Error('no migration 1');
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(`CREATE TABLE schema_migrations (
        version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      await admin.query(v1.sql);
      await admin.query('INSERT INTO schema_migrations VALUES (1, $1, 0)', [v1.name]);
      for (const run of runs) {
        await admin.query(
          `INSERT INTO runs (id, workflow_id, workflow_version, pattern, status, owner, started_at,
                             finished_at, duration_ms, triggered_by, error)
           VALUES ($1, $2, $3, $4, $5, 'default', $6, $7, $8, $9, NULL)`,
          [
            run.id,
            run.workflowId,
            run.workflowVersion,
            run.pattern,
            run.status,
            run.startedAt,
            run.finishedAt,
            run.durationMs,
            run.triggeredBy,
          ],
        );
        await admin.query('INSERT INTO run_payloads (run_id, input, output) VALUES ($1, $2, $3)', [
          run.id,
          JSON.stringify(run.input),
          JSON.stringify(run.output),
        ]);
      }
      // As the version-1 store inserted them: the whole batch as one JSON array.
      await admin.query(
        `INSERT INTO run_events (run_id, seq, type, at, step_id, agent, attempt, message, data)
         SELECT "runId", seq, type, at::bigint, "stepId", agent, attempt, message, data
         FROM json_to_recordset($1::json) AS e (
           "runId" text, seq integer, type text, at double precision, "stepId" text, agent text,
           attempt integer, message text, data json)`,
        [JSON.stringify(events)],
      );
    },
    openStore: () => openRunStore(url.toString()),
    async chunks() {
      const { rows } = await admin.query<{ run_id: string; first_seq: number; last_seq: number }>(
        'SELECT run_id, first_seq, last_seq FROM run_event_chunks ORDER BY run_id, last_seq',
      );
      return rows.map((row) => [row.run_id, row.first_seq, row.last_seq]);
    },
    async tables() {
      const { rows } = await admin.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      return rows.map((row) => row.table_name);
    },
    async dispose() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

function migrationSuite(name: string, create: () => Dialect): void {
  describe(`migration 001 → 002: ${name}`, () => {
    let dialect: Dialect | null = null;
    let store: RunStore | null = null;

    afterEach(async () => {
      await store?.close();
      await dialect?.dispose();
      store = null;
      dialect = null;
    });

    it('turns every stored event into chunks, in order and unchanged', async () => {
      const content = v1Content();
      dialect = create();
      await dialect.seedV1(content);
      store = await dialect.openStore();
      const of = (runId: string) => content.events.filter((event) => event.runId === runId);

      expect(await store.getEvents('long', 0)).toEqual(of('long'));
      expect(await store.getEvents('odd', 0)).toEqual(of('odd'));
      expect(await store.getEvents('silent', 0)).toEqual([]);
      expect(await store.getEvents('long', MAX_CHUNK_EVENTS - 2, 5)).toEqual(
        of('long').slice(MAX_CHUNK_EVENTS - 2, MAX_CHUNK_EVENTS + 3),
      );
      expect(await store.getEvents('odd', 2, 1)).toEqual(of('odd').slice(2));
      expect(await store.getLastSeq('long')).toBe(600);
      expect(await store.getLastSeq('odd')).toBe(7);
      expect(await store.getLastSeq('silent')).toBe(0);
      // At most MAX_CHUNK_EVENTS a chunk, as the stores write them.
      expect(await dialect.chunks()).toEqual([
        ['long', 1, 256],
        ['long', 257, 512],
        ['long', 513, 600],
        ['odd', 1, 7],
      ]);
      const tables = await dialect.tables();
      expect(tables).toContain('run_event_chunks');
      expect(tables).not.toContain('run_events');
      // Runs are untouched.
      expect(await store.getRuns(content.runs.map((run) => run.id))).toEqual(content.runs);
    });

    it('leaves a log that grows and refuses what does not extend it', async () => {
      dialect = create();
      await dialect.seedV1(v1Content());
      store = await dialect.openStore();
      await store.migrate();
      await expect(store.write({ runs: [], steps: [], events: [eventRecord('long', 300)] })).rejects.toThrow(
        /rolled back/,
      );
      await expect(store.write({ runs: [], steps: [], events: [eventRecord('odd', 7)] })).rejects.toThrow(
        /rolled back/,
      );
      await store.write({
        runs: [],
        steps: [],
        events: [eventRecord('odd', 8), eventRecord('silent', 1), eventRecord('long', 601)],
      });
      expect((await store.getEvents('odd', 6)).map((event) => event.seq)).toEqual([7, 8]);
      expect(await store.getEvents('silent', 0)).toEqual([eventRecord('silent', 1)]);
      expect(await store.getLastSeq('long')).toBe(601);
      // A migrated run's chunks go with it.
      expect(await store.prune({ maxFinishedRuns: 0 })).toBe(1);
      expect(await store.getEvents('long', 0)).toEqual([]);
      expect((await dialect.chunks()).map(([runId]) => runId)).toEqual(['odd', 'odd', 'silent']);
    });
  });
}

migrationSuite('SQLite', sqliteDialect);
describe.skipIf(POSTGRES_URL === undefined)('with PostgreSQL (ORQUESTRA_TEST_POSTGRES_URL)', () => {
  migrationSuite('PostgreSQL', postgresDialect);
});
