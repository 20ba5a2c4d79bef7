/**
 * Picks and opens the RunStore named by a URL (the `--store` option, `ORQUESTRA_STORE`), migrated and
 * ready to use.
 *
 *   sqlite:./data/orquestra.db   a file relative to the working directory (its directory is created)
 *   sqlite:/abs/path.db          an absolute file
 *   sqlite::memory:              SQLite in memory, gone with the process
 *   memory:                      plain JavaScript memory, no SQL at all
 *   postgres://user@host/db      PostgreSQL (also postgresql://); add ?schema=name to use, and create,
 *                                a schema of its own
 */

import { resolve } from 'node:path';
import type { RunStore } from '../engine/store.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { PostgresRunStore } from './postgres-run-store.ts';
import { SqliteRunStore } from './sqlite-run-store.ts';

export interface OpenRunStoreOptions {
  /** Owner of the runs this process writes. Default `ORQUESTRA_INSTANCE_ID`, else `'default'`. */
  instanceId?: string;
}

const ACCEPTED_FORMS =
  'sqlite:./relative/path.db, sqlite:/absolute/path.db, sqlite::memory:, memory:, ' +
  'postgres://user@host:port/database[?schema=name] (or postgresql://)';

export async function openRunStore(url: string, options: OpenRunStoreOptions = {}): Promise<RunStore> {
  const instanceId = options.instanceId ?? process.env.ORQUESTRA_INSTANCE_ID ?? 'default';
  const store = createRunStore(url, instanceId);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function createRunStore(url: string, instanceId: string): RunStore {
  if (url === 'memory:') return new MemoryRunStore({ instanceId });
  if (url.startsWith('sqlite:')) {
    const location = url.slice('sqlite:'.length);
    if (location === '')
      throw new Error(`store URL "${url}" names no file; accepted forms: ${ACCEPTED_FORMS}`);
    const path = location === ':memory:' ? location : resolve(location);
    return new SqliteRunStore({ path, instanceId });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return new PostgresRunStore({ url, instanceId });
  }
  // Only the scheme is quoted back: the rest of a URL may hold a password.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
  const named = scheme === undefined ? `"${url}"` : `scheme "${scheme}"`;
  throw new Error(`unknown store URL ${named}; accepted forms: ${ACCEPTED_FORMS}`);
}
