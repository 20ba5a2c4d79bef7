/**
 * The SQLite schema, as a list of migrations (see `docs/store.md` for why each table and index exists).
 *
 * Times are INTEGER epoch milliseconds and JSON is TEXT. `runs` holds only what a run list shows, so
 * that listing reads narrow rows; the potentially large input and output live in `run_payloads`.
 *
 * Unlike the PostgreSQL schema, child tables reference a run by an integer surrogate `run_key`
 * instead of its text id: steps and event chunks are inserted on the engine's hot path, and integer
 * keys made those inserts about a third cheaper (measured; see docs/store.md). AUTOINCREMENT keeps a
 * deleted run's key from ever being handed to another run, so a key cached by the store can go stale
 * but never point at the wrong run, and a key just inserted has no events yet.
 */

import type { Migration } from './migration.ts';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, steps, events, agents, workflows, statistics',
    sql: `
CREATE TABLE workflow_versions (
  workflow_id   TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  hash          TEXT    NOT NULL,
  registered_at INTEGER NOT NULL,
  definition    TEXT    NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

CREATE TABLE runs (
  key              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT    NOT NULL UNIQUE,
  workflow_id      TEXT    NOT NULL,
  workflow_version INTEGER NOT NULL,
  pattern          TEXT    NOT NULL,
  status           TEXT    NOT NULL,
  owner            TEXT    NOT NULL,
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  duration_ms      INTEGER,
  triggered_by     TEXT,
  error            TEXT
);

-- Every run filter is an equality on one column followed by the (started_at, id) keyset order, so
-- each index ends with that order and a page is a range scan that stops after first + 1 rows.
CREATE INDEX runs_by_started_at ON runs (started_at, id);
CREATE INDEX runs_by_status     ON runs (status, started_at, id);
CREATE INDEX runs_by_workflow   ON runs (workflow_id, started_at, id);
CREATE INDEX runs_by_pattern    ON runs (pattern, started_at, id);
-- Start-up recovery and retention only look at small slices of the table.
CREATE INDEX runs_running_by_owner  ON runs (owner) WHERE status = 'RUNNING';
CREATE INDEX runs_finished_by_time  ON runs (finished_at, id) WHERE status <> 'RUNNING';

CREATE TABLE run_payloads (
  run_key INTEGER PRIMARY KEY REFERENCES runs (key) ON DELETE CASCADE,
  input  TEXT,
  output TEXT
);

CREATE TABLE step_runs (
  run_key     INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  execution   INTEGER NOT NULL,
  step_id     TEXT    NOT NULL,
  item_index  INTEGER,
  agent       TEXT,
  action      TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  attempts    INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  duration_ms INTEGER,
  error       TEXT,
  attempt_log TEXT    NOT NULL,
  output      TEXT,
  PRIMARY KEY (run_key, execution)
);

CREATE TABLE run_events (
  run_key INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  type    TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  step_id TEXT,
  agent   TEXT,
  attempt INTEGER,
  message TEXT    NOT NULL,
  data    TEXT,
  PRIMARY KEY (run_key, seq)
);

-- Agents that made an attempt in a run. The run's started_at and id are copied here so that the
-- agent filter walks this index in keyset order instead of sorting every run the agent touched.
CREATE TABLE run_agents (
  run_key    INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  agent      TEXT    NOT NULL,
  started_at INTEGER NOT NULL,
  run_id     TEXT    NOT NULL,
  PRIMARY KEY (run_key, agent)
) WITHOUT ROWID;
CREATE INDEX run_agents_by_agent ON run_agents (agent, started_at, run_id);

-- Keeps the copy above true should a run's startedAt ever be rewritten.
CREATE TRIGGER runs_started_at_moved AFTER UPDATE OF started_at ON runs
WHEN old.started_at IS NOT new.started_at
BEGIN
  UPDATE run_agents SET started_at = new.started_at WHERE run_key = new.key;
END;

CREATE TABLE instance_statistics (
  instance_id TEXT    NOT NULL PRIMARY KEY,
  statistics  TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'event log as chunks: one row per run and write batch',
    // The events already stored become chunks of at most 256 (MAX_CHUNK_EVENTS in event-chunks.ts),
    // the tuples built as the store builds them; see event-chunks.ts for the format and why. That a
    // chunk extends its run's log is checked by the store, in the write transaction: a trigger doing
    // it cost a tenth of a write batch (measured), and SQLite has one writer at a time.
    sql: `
CREATE TABLE run_event_chunks (
  run_key   INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  first_seq INTEGER NOT NULL,
  last_seq  INTEGER NOT NULL,
  -- JSON array of [seq, type, at, step_id, agent, attempt, message, data], in seq order.
  events    TEXT    NOT NULL,
  PRIMARY KEY (run_key, last_seq),
  CHECK (first_seq <= last_seq)
);

INSERT INTO run_event_chunks (run_key, first_seq, last_seq, events)
SELECT run_key, min(seq), max(seq), json_group_array(json(tuple) ORDER BY seq)
FROM (
  SELECT run_key, seq,
         (row_number() OVER (PARTITION BY run_key ORDER BY seq) - 1) / 256 AS chunk,
         json_array(seq, type, at, step_id, agent, attempt, message, json(data)) AS tuple
  FROM run_events)
GROUP BY run_key, chunk;

DROP TABLE run_events;
`,
  },
];
