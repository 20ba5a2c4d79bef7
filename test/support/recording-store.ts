/**
 * A real MemoryRunStore wrapped to observe the engine's write path: which events are committed (and
 * in which write), how many writes there were, and, on demand, writes that fail or wait for a gate and
 * event reads that wait for a gate. It delegates everything to the real store; nothing is faked.
 */

import type { WorkflowDefinition } from '../../src/engine/definition.ts';
import type { RunEvent, RunStatus } from '../../src/engine/events.ts';
import type { JsonValue } from '../../src/engine/json.ts';
import type { RunRecord, StepRunRecord, WorkflowVersionRecord } from '../../src/engine/run.ts';
import type {
  RetentionPolicy,
  RunFilter,
  RunPage,
  RunPageRequest,
  RunStore,
  StoreBatch,
} from '../../src/engine/store.ts';
import { MemoryRunStore } from '../../src/store/memory-run-store.ts';

export class RecordingStore implements RunStore {
  readonly inner: RunStore;
  /** `${runId}#${seq}` of every committed event. */
  readonly committed = new Set<string>();
  /** Batches committed, in order. */
  readonly batches: StoreBatch[] = [];
  /** Writes that threw (on purpose). */
  failedWrites = 0;
  /** Make the next N writes throw. */
  failNextWrites = 0;
  /** Latest committed status of each run. */
  readonly committedStatus = new Map<string, RunStatus>();
  /** When set, each write awaits it before reaching the inner store (a slow disk). */
  beforeWrite: (() => Promise<void>) | null = null;
  /**
   * When set, getEvents is held until this promise settles: with `readMode` 'before' it reads after
   * the wait (a slow query), with 'after' it reads at once and answers after the wait (a stale snapshot).
   */
  readGate: Promise<void> | null = null;
  readMode: 'before' | 'after' = 'before';
  /** Number of getEvents calls held by `readGate`. */
  readsWaiting = 0;
  /** When true, getEvents and getRuns throw (a store that went away). */
  failReads = false;
  /** getWorkflow calls made so far. */
  workflowReads = 0;

  constructor(inner: RunStore = new MemoryRunStore()) {
    this.inner = inner;
  }

  get dialect() {
    return this.inner.dialect;
  }

  get instanceId() {
    return this.inner.instanceId;
  }

  isCommitted(runId: string, seq: number): boolean {
    return this.committed.has(`${runId}#${seq}`);
  }

  migrate(): Promise<void> {
    return this.inner.migrate();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async write(batch: StoreBatch): Promise<void> {
    if (this.beforeWrite) await this.beforeWrite();
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      this.failedWrites++;
      throw new Error('disk full (simulated)');
    }
    await this.inner.write(batch);
    this.batches.push(batch);
    for (const event of batch.events) this.committed.add(`${event.runId}#${event.seq}`);
    for (const run of batch.runs) this.committedStatus.set(run.id, run.status);
  }

  saveWorkflow(
    definition: WorkflowDefinition,
    hash: string,
    registeredAt: number,
  ): Promise<{ record: WorkflowVersionRecord; created: boolean }> {
    return this.inner.saveWorkflow(definition, hash, registeredAt);
  }

  getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null> {
    this.workflowReads++;
    return this.inner.getWorkflow(id, version);
  }

  listWorkflows(): Promise<WorkflowVersionRecord[]> {
    return this.inner.listWorkflows();
  }

  listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    return this.inner.listWorkflowVersions(id);
  }

  async getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    if (this.failReads) throw new Error('store unavailable (simulated)');
    return this.inner.getRuns(ids);
  }

  listRuns(request: RunPageRequest): Promise<RunPage> {
    return this.inner.listRuns(request);
  }

  countRuns(filter: RunFilter): Promise<number> {
    return this.inner.countRuns(filter);
  }

  getStepRuns(runIds: readonly string[]): Promise<StepRunRecord[][]> {
    return this.inner.getStepRuns(runIds);
  }

  async getEvents(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    if (this.failReads) throw new Error('store unavailable (simulated)');
    const gate = this.readGate;
    if (!gate) return this.inner.getEvents(runId, afterSeq, limit);
    this.readsWaiting++;
    if (this.readMode === 'after') {
      const events = await this.inner.getEvents(runId, afterSeq, limit);
      await gate;
      this.readsWaiting--;
      return events;
    }
    await gate;
    this.readsWaiting--;
    return this.inner.getEvents(runId, afterSeq, limit);
  }

  getLastSeq(runId: string): Promise<number> {
    return this.inner.getLastSeq(runId);
  }

  listRunningRuns(): Promise<RunRecord[]> {
    return this.inner.listRunningRuns();
  }

  prune(policy: RetentionPolicy): Promise<number> {
    return this.inner.prune(policy);
  }

  loadStatistics(): Promise<JsonValue | null> {
    return this.inner.loadStatistics();
  }
}
