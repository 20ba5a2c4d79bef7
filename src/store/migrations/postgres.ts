/**
 * The PostgreSQL schema, as a list of migrations: the same tables and indexes as the SQLite one.
 *
 * Instants are `bigint` epoch milliseconds, the unit of the API, so keyset comparisons are exact and
 * nothing converts on the way in or out (`to_timestamp(started_at / 1000.0)` reads them in psql).
 * Durations are `double precision` because a duration measured with a fine clock may be fractional.
 * JSON is `json`, not `jsonb`: it keeps the text (key order included) exactly as written, is cheaper
 * to insert, and nothing queries inside it. Keys are `COLLATE "C"` so ids order bytewise, as in SQLite,
 * whatever the database's locale.
 */

import type { Migration } from './migration.ts';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, steps, events, agents, workflows, statistics',
    sql: `
CREATE TABLE workflow_versions (
  workflow_id   text COLLATE "C" NOT NULL,
  version       integer          NOT NULL,
  hash          text             NOT NULL,
  registered_at bigint           NOT NULL,
  definition    json             NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

CREATE TABLE runs (
  id               text COLLATE "C" NOT NULL PRIMARY KEY,
  workflow_id      text COLLATE "C" NOT NULL,
  workflow_version integer          NOT NULL,
  pattern          text             NOT NULL,
  status           text             NOT NULL,
  owner            text             NOT NULL,
  started_at       bigint           NOT NULL,
  finished_at      bigint,
  duration_ms      double precision,
  triggered_by     text,
  error            json
);

CREATE INDEX runs_by_started_at ON runs (started_at, id);
CREATE INDEX runs_by_status     ON runs (status, started_at, id);
CREATE INDEX runs_by_workflow   ON runs (workflow_id, started_at, id);
CREATE INDEX runs_by_pattern    ON runs (pattern, started_at, id);
CREATE INDEX runs_running_by_owner ON runs (owner) WHERE status = 'RUNNING';
CREATE INDEX runs_finished_by_time ON runs (finished_at NULLS FIRST, id) WHERE status <> 'RUNNING';

CREATE TABLE run_payloads (
  run_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  input  json,
  output json
);

CREATE TABLE step_runs (
  run_id      text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  execution   integer          NOT NULL,
  step_id     text             NOT NULL,
  item_index  integer,
  agent       text COLLATE "C",
  action      text             NOT NULL,
  status      text             NOT NULL,
  attempts    integer          NOT NULL,
  started_at  bigint           NOT NULL,
  finished_at bigint,
  duration_ms double precision,
  error       json,
  attempt_log json             NOT NULL,
  output      json,
  PRIMARY KEY (run_id, execution)
);

CREATE TABLE run_events (
  run_id  text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq     integer          NOT NULL,
  type    text             NOT NULL,
  at      bigint           NOT NULL,
  step_id text,
  agent   text COLLATE "C",
  attempt integer,
  message text             NOT NULL,
  data    json,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_agents (
  run_id     text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  agent      text COLLATE "C" NOT NULL,
  started_at bigint           NOT NULL,
  PRIMARY KEY (run_id, agent)
);
CREATE INDEX run_agents_by_agent ON run_agents (agent, started_at, run_id);

CREATE FUNCTION runs_started_at_moved() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE run_agents SET started_at = NEW.started_at WHERE run_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER runs_started_at_moved AFTER UPDATE OF started_at ON runs
FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at)
EXECUTE FUNCTION runs_started_at_moved();

CREATE TABLE instance_statistics (
  instance_id text   NOT NULL PRIMARY KEY,
  statistics  json   NOT NULL,
  updated_at  bigint NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'event log as chunks: one row per run and write batch',
    // The events already stored become chunks of at most 256 (MAX_CHUNK_EVENTS in event-chunks.ts),
    // the tuples built as the store builds them; see event-chunks.ts for the format and why. The
    // trigger comes after the copy, which inserts in no particular order.
    sql: `
CREATE TABLE run_event_chunks (
  run_id    text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  first_seq integer          NOT NULL,
  last_seq  integer          NOT NULL,
  -- JSON array of [seq, type, at, step_id, agent, attempt, message, data], in seq order.
  events    json             NOT NULL,
  PRIMARY KEY (run_id, last_seq),
  CHECK (first_seq <= last_seq)
);

INSERT INTO run_event_chunks (run_id, first_seq, last_seq, events)
SELECT run_id, min(seq), max(seq),
       json_agg(json_build_array(seq, type, at, step_id, agent, attempt, message, data) ORDER BY seq)
FROM (
  SELECT e.*, (row_number() OVER (PARTITION BY run_id ORDER BY seq) - 1) / 256 AS chunk
  FROM run_events AS e
) AS numbered
GROUP BY run_id, chunk;

DROP TABLE run_events;

-- A run's log only grows, from seq 1: a chunk must start above every seq stored for its run, which
-- also makes (run, seq) unique (the store checks that a chunk's own events increase). Writers of
-- one run queue on the run's row first, so that two transactions cannot both pass the check; the
-- check sees chunks inserted earlier by the same statement, so a batch's chunks go in seq order.
CREATE FUNCTION run_event_chunks_extend_the_log() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  stored_last integer;
BEGIN
  PERFORM FROM runs WHERE id = NEW.run_id FOR NO KEY UPDATE;
  SELECT coalesce(max(last_seq), 0) INTO stored_last FROM run_event_chunks WHERE run_id = NEW.run_id;
  IF NEW.first_seq <= stored_last THEN
    RAISE EXCEPTION 'event (%, %) does not extend its run''s log, which is at seq %',
      NEW.run_id, NEW.first_seq, stored_last
      USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER run_event_chunks_extend_the_log BEFORE INSERT ON run_event_chunks
FOR EACH ROW EXECUTE FUNCTION run_event_chunks_extend_the_log();
`,
  },
];
