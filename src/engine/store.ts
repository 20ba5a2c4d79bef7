/**
 * The RunStore contract: where runs, step executions, the event log, workflow versions and statistics
 * live. Implementations: memory (throwaway), SQLite (`node:sqlite`, the default) and PostgreSQL.
 *
 * The engine batches its writes: everything that happened during one turn of the event loop goes to
 * {@link RunStore.write} as one batch, applied in one transaction, and only then are the batch's events
 * published to subscribers. A subscriber therefore never sees an event that a crash could lose, and
 * statistics written in the same batch always agree with the runs they count.
 */

import type { Pattern, WorkflowDefinition } from './definition.ts';
import type { RunEvent, RunStatus } from './events.ts';
import type { JsonValue } from './json.ts';
import type { RunRecord, StepRunRecord, WorkflowVersionRecord } from './run.ts';

/** A run without its potentially large input and output, as run lists return it. */
export type RunSummary = Omit<RunRecord, 'input' | 'output'>;

export interface RunFilter {
  status?: readonly RunStatus[];
  workflowId?: string;
  pattern?: readonly Pattern[];
  /** Runs in which this agent made at least one attempt (fallbacks included). */
  agent?: string;
  /** Inclusive lower bound on startedAt (epoch ms). */
  startedAfter?: number;
  /** Exclusive upper bound on startedAt (epoch ms). */
  startedBefore?: number;
}

export type RunOrder = 'STARTED_AT_DESC' | 'STARTED_AT_ASC';

/** Keyset position: runs are totally ordered by (startedAt, id), so cursors stay valid as runs arrive. */
export interface RunCursor {
  startedAt: number;
  id: string;
}

/** Relay-style page request: `first`/`after` pages forward, `last`/`before` backward (not both). */
export interface RunPageRequest {
  filter: RunFilter;
  orderBy: RunOrder;
  first?: number;
  after?: RunCursor;
  last?: number;
  before?: RunCursor;
}

export interface RunPage {
  /** In `orderBy` order, whichever direction was paged. */
  runs: RunSummary[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface StoreBatch {
  /** Upserts by id. `input` is written when the run is first inserted and never changes after. */
  runs: RunRecord[];
  /** Upserts by (runId, execution). */
  steps: StepRunRecord[];
  /**
   * Appends: each run's events extend its log (integer seqs from 1, strictly increasing, above every
   * seq stored for the run), so (runId, seq) is unique. A batch that does not is refused whole.
   */
  events: RunEvent[];
  /** The engine's statistics snapshot for this instance, replacing the previous one. */
  statistics?: JsonValue;
}

export interface RetentionPolicy {
  /** Delete finished runs that finished before this instant (epoch ms). */
  finishedBefore?: number;
  /** Keep at most this many finished runs (the most recently finished). */
  maxFinishedRuns?: number;
}

export interface RunStore {
  readonly dialect: 'memory' | 'sqlite' | 'postgres';
  /** This process's identity: runs it starts are owned by it, and only it marks them interrupted. */
  readonly instanceId: string;

  /** Applies pending migrations. Idempotent; called once at start-up. */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query (`/readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Applies the whole batch in one transaction. The store reads the batch synchronously, before this
   * call returns: the engine goes on updating the run and step records it passed as the run moves on,
   * so a store that keeps them (the memory store) keeps copies, and one that writes later (PostgreSQL)
   * serialises them first. Calls apply in call order.
   */
  write(batch: StoreBatch): Promise<void>;

  /**
   * Registers a definition: when the latest version of `definition.id` has the same `hash`, returns it
   * with `created: false`; otherwise stores version latest + 1 (1 for a new id) and returns it.
   */
  saveWorkflow(
    definition: WorkflowDefinition,
    hash: string,
    registeredAt: number,
  ): Promise<{
    record: WorkflowVersionRecord;
    created: boolean;
  }>;
  /** A given version, or the latest when `version` is omitted. */
  getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null>;
  /** The latest version of every workflow, by id. */
  listWorkflows(): Promise<WorkflowVersionRecord[]>;
  /** Every version of one workflow, oldest first. */
  listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]>;

  /** Full records, aligned with `ids` (null where unknown). */
  getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]>;
  listRuns(request: RunPageRequest): Promise<RunPage>;
  countRuns(filter: RunFilter): Promise<number>;
  /** Step executions of each run, in execution order, aligned with `runIds`. */
  getStepRuns(runIds: readonly string[]): Promise<StepRunRecord[][]>;
  /** Events with seq > afterSeq, in seq order, at most `limit` (default all). A log may have gaps. */
  getEvents(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]>;
  /** Highest seq stored for the run, 0 when none. */
  getLastSeq(runId: string): Promise<number>;

  /** Runs still RUNNING that this instance owns: after a crash, the ones to mark INTERRUPTED. */
  listRunningRuns(): Promise<RunRecord[]>;
  /** Deletes finished runs (with their steps and events) per the policy; never a RUNNING run. */
  prune(policy: RetentionPolicy): Promise<number>;
  /** The statistics snapshot last written by this instance, or null. */
  loadStatistics(): Promise<JsonValue | null>;
}
