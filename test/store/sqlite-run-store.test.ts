/**
 * What is particular to the SQLite store, beyond the shared contract: the file it leaves on disk.
 */

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { runRecord } from './run-fixtures.ts';

describe('SqliteRunStore file', () => {
  const directories: string[] = [];
  const databasePath = () => {
    const directory = mkdtempSync(join(tmpdir(), 'orquestra-sqlite-'));
    directories.push(directory);
    return join(directory, 'runs.db');
  };

  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('is in WAL mode, checkpointed in the background, and left without a WAL once closed', async () => {
    const path = databasePath();
    const store = new SqliteRunStore({ path });
    await store.migrate();
    for (let i = 0; i < 20; i++) {
      await store.write({
        runs: Array.from({ length: 100 }, (_, k) => runRecord(`run-${i}-${k}`)),
        steps: [],
        events: [],
      });
    }
    const written = statSync(path).size;
    // The worker checks every 200 ms; its checkpoint copies the pages from the WAL into the file.
    for (let waited = 0; statSync(path).size === written && waited < 5_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statSync(path).size).toBeGreaterThan(written);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);

    const reader = new DatabaseSync(path, { readOnly: true });
    try {
      expect(reader.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(reader.prepare('SELECT count(*) AS runs FROM runs').get()).toEqual({ runs: 2_000 });
      const migrations = reader.prepare('SELECT version FROM schema_migrations').all();
      expect(migrations).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      reader.close();
    }
  });

  it('refuses a database migrated by a newer release', async () => {
    const path = databasePath();
    const first = new SqliteRunStore({ path, checkpointInBackground: false });
    await first.migrate();
    await first.close();
    const db = new DatabaseSync(path);
    db.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)");
    db.close();
    const second = new SqliteRunStore({ path, checkpointInBackground: false });
    await expect(second.migrate()).rejects.toThrow(/schema version 99, newer than this release knows \(2\)/);
    await second.close();
  });
});
