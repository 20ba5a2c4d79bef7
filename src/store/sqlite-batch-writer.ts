/**
 * The SQLite store's write path: one engine batch into the tables, inside the store's transaction.
 *
 * It is the engine's hot path, so it works from what the store remembers: each run's integer key
 * (with its last seq, and the columns that do not change while it runs) and the (run, agent) pairs
 * already recorded. With that, a batch needs no lookups; new runs, steps, agent pairs and event
 * chunks go in 16 rows to a statement; a run already written only has its changing columns updated.
 * What a batch teaches is remembered once it has committed, and everything is forgotten when another
 * connection has written to the file since (`PRAGMA data_version`), or when a batch fails.
 */

import type { SQLInputValue } from 'node:sqlite';
import type { RunRecord, StepAttempt, StepRunRecord } from '../engine/run.ts';
import type { StoreBatch } from '../engine/store.ts';
import { chunkEvents, extensionProblem } from './event-chunks.ts';
import { json, nullableJson } from './sqlite-rows.ts';
import {
  AGENT_WIDTH,
  CHUNK_WIDTH,
  insertRows,
  PAYLOAD_WIDTH,
  ROWS_PER_STATEMENT,
  RUN_WIDTH,
  STEP_WIDTH,
  type Statements,
} from './sqlite-statements.ts';

/** What the store remembers of a run it wrote or looked up. */
interface RunKey {
  key: number;
  /** Copied into run_agents rows. */
  startedAt: number;
  /** The columns a run keeps from start to end, as last written here (null: not written here). */
  fixedColumns: string | null;
  /** The highest seq stored for the run (null: not known here, ask the database). */
  lastSeq: number | null;
}

/** What one batch taught, to remember once it has committed. */
export interface Learned {
  keys: Map<string, RunKey>;
  agents: Set<string>;
}

/** A (run, agent) pair to record. */
interface AgentRow {
  key: number;
  agent: string;
  startedAt: number;
  runId: string;
}

/** The run's columns that do not change while it runs, as one comparable string. */
const fixedColumns = (run: RunRecord): string =>
  `${run.workflowId}\u0000${run.workflowVersion}\u0000${run.pattern}\u0000${run.startedAt}\u0000${run.triggeredBy}`;

/** Bounds the caches of run keys and recorded (run, agent) pairs: enough for every run in flight. */
const WRITE_CACHE_SIZE = 20_000;

/** Forgets the oldest entries of a Map or Set (insertion order) once it outgrows its bound. */
function trim(cache: Map<string, unknown> | Set<string>): void {
  if (cache.size <= WRITE_CACHE_SIZE) return;
  let excess = cache.size - WRITE_CACHE_SIZE * 0.9;
  for (const key of cache.keys()) {
    cache.delete(key);
    if (--excess <= 0) return;
  }
}

/** The columns of `runs` in the order of the run statements, for one run. */
function bindRun(run: RunRecord, owner: string, params: SQLInputValue[], offset: number): void {
  params[offset] = run.id;
  params[offset + 1] = run.workflowId;
  params[offset + 2] = run.workflowVersion;
  params[offset + 3] = run.pattern;
  params[offset + 4] = run.status;
  params[offset + 5] = owner;
  params[offset + 6] = run.startedAt;
  params[offset + 7] = run.finishedAt ?? null;
  params[offset + 8] = run.durationMs ?? null;
  params[offset + 9] = run.triggeredBy ?? null;
  params[offset + 10] = nullableJson(run.error);
}

export class SqliteBatchWriter {
  readonly #owner: string;
  /** Run id to run_key, for runs written or looked up by committed batches. */
  readonly #runKeys = new Map<string, RunKey>();
  /** `${runKey}:${agent}` pairs committed to run_agents. */
  readonly #recordedAgents = new Set<string>();
  /** `PRAGMA data_version` when this connection last wrote: it moves when another one commits. */
  #dataVersion = -1;
  readonly #runParams = new Array<SQLInputValue>(ROWS_PER_STATEMENT * RUN_WIDTH);
  readonly #payloadParams = new Array<SQLInputValue>(ROWS_PER_STATEMENT * PAYLOAD_WIDTH);

  /** `owner`: the instance whose runs these are. */
  constructor(owner: string) {
    this.#owner = owner;
  }

  /** Writes the batch through the statements of an open write transaction; throws to refuse it. */
  apply(s: Statements, batch: StoreBatch): Learned {
    this.#forgetIfWrittenElsewhere(s);
    // Keys and pairs learnt here join the caches only once the transaction has committed: a
    // rolled-back insert's key would otherwise linger.
    const learned: Learned = { keys: new Map(), agents: new Set() };
    this.#writeRuns(s, batch.runs, learned.keys);
    const runKeyOf = (runId: string): RunKey => this.#runKeyOf(s, runId, learned.keys);
    this.#writeSteps(s, batch.steps, runKeyOf, learned.agents);
    // A chunk must start above its run's stored log: checked here, in the transaction, against the
    // last seq this connection wrote (valid, see #forgetIfWrittenElsewhere) or else read.
    const chunks = chunkEvents(batch.events).map((chunk) => {
      const runKey = runKeyOf(chunk.runId);
      const last = runKey.lastSeq ?? (s.lastSeqOfKey.get(runKey.key) as { seq: number }).seq;
      const problem = extensionProblem(chunk.runId, chunk.firstSeq, last);
      if (problem !== null) throw new Error(problem);
      learned.keys.set(chunk.runId, { ...runKey, lastSeq: chunk.lastSeq });
      return { ...chunk, key: runKey.key };
    });
    insertRows(chunks, CHUNK_WIDTH, s.insertChunks, s.insertChunk, (chunk, params, offset) => {
      params[offset] = chunk.key;
      params[offset + 1] = chunk.firstSeq;
      params[offset + 2] = chunk.lastSeq;
      params[offset + 3] = chunk.events;
    });
    if (batch.statistics !== undefined) {
      s.saveStatistics.run(this.#owner, JSON.stringify(batch.statistics), Date.now());
    }
    return learned;
  }

  /** Remembers what a committed batch taught. */
  remember(learned: Learned): void {
    for (const [id, key] of learned.keys) this.#runKeys.set(id, key);
    for (const pair of learned.agents) this.#recordedAgents.add(pair);
    trim(this.#runKeys);
    trim(this.#recordedAgents);
  }

  /** After a failed batch, or runs deleted: what is remembered may no longer be true. */
  forget(): void {
    this.#runKeys.clear();
    this.#recordedAgents.clear();
  }

  /**
   * The caches describe the database as this connection left it. Under the write lock, before using
   * them, check that no other connection (another process on the same file) has committed since: if
   * one has, it may have deleted a cached run or appended to a cached log, so forget everything.
   */
  #forgetIfWrittenElsewhere(s: Statements): void {
    const version = (s.dataVersion.get() as { data_version: number }).data_version;
    if (version === this.#dataVersion) return;
    this.forget();
    this.#dataVersion = version;
  }

  #runKeyOf(s: Statements, runId: string, keys: Map<string, RunKey>): RunKey {
    let runKey = keys.get(runId) ?? this.#runKeys.get(runId);
    if (runKey === undefined) {
      const row = s.runKey.get(runId) as { key: number; startedAt: number } | undefined;
      if (row === undefined) throw new Error(`run ${runId} does not exist`);
      runKey = { ...row, fixedColumns: null, lastSeq: null };
      keys.set(runId, runKey);
    }
    return runKey;
  }

  /**
   * Runs the store has not seen are nearly always new: they go in 16 to a plain insert, which costs
   * a third of the upsert per run (measured), and their keys are consecutive (AUTOINCREMENT gives
   * each new row the next key, and this connection is the only writer). A statement that inserts
   * fewer rows than it was given (a run existed after all, or came twice) hands its runs to
   * #writeRun, one by one, as are the rest.
   */
  #writeRuns(s: Statements, runs: readonly RunRecord[], keys: Map<string, RunKey>): void {
    const fresh: RunRecord[] = [];
    for (const run of runs) {
      if (this.#runKeys.has(run.id)) this.#writeRun(s, run, keys);
      else fresh.push(run);
    }
    let i = 0;
    for (; i + ROWS_PER_STATEMENT <= fresh.length; i += ROWS_PER_STATEMENT) {
      this.#insertRuns(s, fresh, i, keys);
    }
    for (; i < fresh.length; i++) this.#writeRun(s, fresh[i] as RunRecord, keys);
  }

  /** Inserts fresh[from .. from + 16) with their payloads, or leaves them to #writeRun. */
  #insertRuns(s: Statements, fresh: readonly RunRecord[], from: number, keys: Map<string, RunKey>): void {
    const params = this.#runParams;
    for (let k = 0; k < ROWS_PER_STATEMENT; k++) {
      bindRun(fresh[from + k] as RunRecord, this.#owner, params, k * RUN_WIDTH);
    }
    const inserted = s.insertRuns.run(...params);
    if (inserted.changes !== ROWS_PER_STATEMENT) {
      for (let k = 0; k < ROWS_PER_STATEMENT; k++) this.#writeRun(s, fresh[from + k] as RunRecord, keys);
      return;
    }
    const firstKey = Number(inserted.lastInsertRowid) - ROWS_PER_STATEMENT + 1;
    const payloads = this.#payloadParams;
    for (let k = 0; k < ROWS_PER_STATEMENT; k++) {
      const run = fresh[from + k] as RunRecord;
      const key = firstKey + k;
      payloads[k * PAYLOAD_WIDTH] = key;
      payloads[k * PAYLOAD_WIDTH + 1] = JSON.stringify(run.input ?? null);
      payloads[k * PAYLOAD_WIDTH + 2] = nullableJson(run.output);
      // A new key has no events: keys are never reused.
      keys.set(run.id, { key, startedAt: run.startedAt, fixedColumns: fixedColumns(run), lastSeq: 0 });
    }
    s.insertPayloads.run(...payloads);
  }

  /** Writes one run record, by the cheapest statement that is right for what is known of it. */
  #writeRun(s: Statements, run: RunRecord, keys: Map<string, RunKey>): void {
    const known = keys.get(run.id) ?? this.#runKeys.get(run.id);
    const columns = fixedColumns(run);
    const output = nullableJson(run.output);
    // Only what changes during a run is written when nothing else did, so that the indexes on the
    // other columns are left alone (a full upsert rewrites every index: 2.5 times the cost). No row
    // updated means the run was deleted meanwhile: write it whole.
    if (
      known?.fixedColumns === columns &&
      s.updateRun.run(
        run.status,
        this.#owner,
        run.finishedAt ?? null,
        run.durationMs ?? null,
        nullableJson(run.error),
        known.key,
      ).changes > 0
    ) {
      s.updateOutput.run(output, known.key);
      keys.set(run.id, known);
      return;
    }
    const params = new Array<SQLInputValue>(RUN_WIDTH);
    bindRun(run, this.#owner, params, 0);
    if (known === undefined) {
      const inserted = s.insertRun.run(...params);
      if (inserted.changes > 0) {
        const key = Number(inserted.lastInsertRowid);
        s.insertPayload.run(key, JSON.stringify(run.input ?? null), output);
        keys.set(run.id, { key, startedAt: run.startedAt, fixedColumns: columns, lastSeq: 0 });
        return;
      }
    }
    const { key } = s.upsertRun.get(...params) as { key: number };
    // The input (written once, possibly large) is only serialised when the payload row is missing.
    if (known?.key !== key || s.updateOutput.run(output, key).changes === 0) {
      s.upsertPayload.run(key, JSON.stringify(run.input ?? null), output);
    }
    const lastSeq = known?.key === key ? known.lastSeq : null;
    keys.set(run.id, { key, startedAt: run.startedAt, fixedColumns: columns, lastSeq });
  }

  /** Step upserts, then the (run, agent) pairs they attempted that are not recorded yet. */
  #writeSteps(
    s: Statements,
    steps: readonly StepRunRecord[],
    runKeyOf: (runId: string) => RunKey,
    agents: Set<string>,
  ): void {
    insertRows(steps, STEP_WIDTH, s.upsertSteps, s.upsertStep, (step, params, offset) => {
      params[offset] = runKeyOf(step.runId).key;
      params[offset + 1] = step.execution;
      params[offset + 2] = step.stepId;
      params[offset + 3] = step.itemIndex ?? null;
      params[offset + 4] = step.agent ?? null;
      params[offset + 5] = step.action;
      params[offset + 6] = step.status;
      params[offset + 7] = step.attempts;
      params[offset + 8] = step.startedAt;
      params[offset + 9] = step.finishedAt ?? null;
      params[offset + 10] = step.durationMs ?? null;
      params[offset + 11] = nullableJson(step.error);
      params[offset + 12] = json(step.attemptLog);
      params[offset + 13] = nullableJson(step.output);
    });
    const rows: AgentRow[] = [];
    for (const step of steps) {
      const { key, startedAt } = runKeyOf(step.runId);
      for (let i = -1; i < step.attemptLog.length; i++) {
        const agent = i < 0 ? step.agent : (step.attemptLog[i] as StepAttempt).agent;
        if (agent === null) continue;
        const pair = `${key}:${agent}`;
        if (agents.has(pair) || this.#recordedAgents.has(pair)) continue;
        agents.add(pair);
        rows.push({ key, agent, startedAt, runId: step.runId });
      }
    }
    insertRows(rows, AGENT_WIDTH, s.insertAgents, s.insertAgent, (row, params, offset) => {
      params[offset] = row.key;
      params[offset + 1] = row.agent;
      params[offset + 2] = row.startedAt;
      params[offset + 3] = row.runId;
    });
  }
}
