/**
 * openRunStore: which store each URL form opens, and how it refuses the rest.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStore } from '../../src/engine/store.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { runRecord } from './run-fixtures.ts';

const POSTGRES_URL = process.env.ORQUESTRA_TEST_POSTGRES_URL;

describe('openRunStore', () => {
  const opened: RunStore[] = [];
  const directories: string[] = [];
  const open = async (url: string, instanceId?: string) => {
    const store = await openRunStore(url, instanceId === undefined ? {} : { instanceId });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
    delete process.env.ORQUESTRA_INSTANCE_ID;
  });

  it('opens memory and SQLite-in-memory stores, migrated', async () => {
    const memory = await open('memory:');
    const sqlite = await open('sqlite::memory:');
    expect([memory.dialect, sqlite.dialect]).toEqual(['memory', 'sqlite']);
    for (const store of [memory, sqlite]) {
      await store.write({ runs: [runRecord('r1')], steps: [], events: [] });
      expect(await store.countRuns({})).toBe(1);
    }
  });

  it('opens a SQLite file relative to the working directory, creating its directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'orquestra-open-'));
    directories.push(directory);
    const file = join(directory, 'data', 'deeper', 'orquestra.db');
    const store = await open(`sqlite:${relative(process.cwd(), file)}`);
    await store.write({ runs: [runRecord('r1')], steps: [], events: [] });
    expect(existsSync(file)).toBe(true);
    const absolute = await open(`sqlite:${file}`);
    expect(await absolute.countRuns({})).toBe(1);
  });

  it('takes the instance id from the option, else ORQUESTRA_INSTANCE_ID, else "default"', async () => {
    expect((await open('memory:')).instanceId).toBe('default');
    process.env.ORQUESTRA_INSTANCE_ID = 'from-env';
    expect((await open('memory:')).instanceId).toBe('from-env');
    expect((await open('memory:', 'explicit')).instanceId).toBe('explicit');
  });

  it('refuses unknown forms, naming the accepted ones without echoing credentials', async () => {
    const failure = openRunStore('postgress://admin:s3cret@db/orquestra');
    await expect(failure).rejects.toThrow(
      /unknown store URL scheme "postgress:".*sqlite::memory:, memory:, postgres:\/\//,
    );
    await expect(openRunStore('postgress://admin:s3cret@db/orquestra')).rejects.not.toThrow(/s3cret/);
    await expect(openRunStore('./orquestra.db')).rejects.toThrow(/accepted forms/);
    await expect(openRunStore('sqlite:')).rejects.toThrow(/names no file/);
    await expect(openRunStore('postgres://127.0.0.1/test?schema=Robert%27);DROP')).rejects.toThrow(
      /not a plain lowercase identifier/,
    );
  });

  describe.skipIf(POSTGRES_URL === undefined)('with PostgreSQL', () => {
    it('creates the ?schema= schema and keeps every table in it', async () => {
      const schema = `orquestra_open_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const url = new URL(POSTGRES_URL as string);
      url.searchParams.set('schema', schema);
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        // Two instances starting at once: the advisory lock lets one migrate and the other find it done.
        const [store] = await Promise.all([open(url.toString(), 'a'), open(url.toString(), 'b')]);
        await store?.write({ runs: [runRecord('r1')], steps: [], events: [] });
        const { rows } = await admin.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [schema],
        );
        expect(rows.map((row) => row.table_name)).toEqual([
          'instance_statistics',
          'run_agents',
          'run_event_chunks',
          'run_payloads',
          'runs',
          'schema_migrations',
          'step_runs',
          'workflow_versions',
        ]);
        const migrations = await admin.query(`SELECT version, name FROM ${schema}.schema_migrations`);
        expect(migrations.rows).toHaveLength(2);
      } finally {
        for (const store of opened.splice(0)) await store.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    });
  });
});
