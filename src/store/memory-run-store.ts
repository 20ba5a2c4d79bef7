/**
 * A RunStore held in process memory: for throwaway use (tests, demos) and for measuring the engine
 * without I/O. It follows the same contract as the database stores, validation and atomicity included.
 *
 * `write()` is cheap: it keeps shallow copies of the records it is given (the engine goes on updating
 * its own) and never serialises anything. Reads return copies, so a caller that mutates what it read
 * cannot corrupt the store.
 */

import type { WorkflowDefinition } from '../engine/definition.ts';
import type { RunEvent } from '../engine/events.ts';
import type { JsonValue } from '../engine/json.ts';
import type { RunRecord, StepAttempt, StepRunRecord, WorkflowVersionRecord } from '../engine/run.ts';
import type {
  RetentionPolicy,
  RunFilter,
  RunPage,
  RunPageRequest,
  RunStore,
  RunSummary,
  StoreBatch,
} from '../engine/store.ts';
import { extensionProblem } from './event-chunks.ts';
import {
  compareKeys,
  countMatchingRuns,
  type KeyRange,
  pageRuns,
  type RunScan,
  type RunScanner,
  type ScanFilter,
} from './run-pages.ts';
import { checkEventLimit, checkRetentionPolicy, storeClosed, writeFailed } from './store-support.ts';

export interface MemoryRunStoreOptions {
  /** This process's identity, the owner of the runs it writes. Default `'default'`. */
  instanceId?: string;
  /**
   * Finished runs kept; older ones are dropped (in batches, so the cost per run stays small), so that a
   * long-lived process does not grow without bound. Default 10 000; null keeps everything.
   */
  maxFinishedRuns?: number | null;
  /**
   * Step executions and events of finished runs kept in all, about 400 bytes each: fewer finished runs
   * are kept when they are large, since 10 000 runs of a 100-item map-reduce alone would hold 1.2 GB.
   * Default 500 000; null for no such bound. Running runs are never dropped, whatever their size.
   */
  maxEntries?: number | null;
}

interface StoredRun {
  /** The latest record written; its `input` is ignored in favour of the first one's. */
  record: RunRecord;
  input: JsonValue;
  owner: string;
  /** Every agent its steps ran on: a handful, so an array. */
  agents: string[];
  /** At `execution - 1`. */
  steps: StepRunRecord[];
  /** In seq order. */
  events: RunEvent[];
}

const copy = structuredClone;
/** What a run counts against `maxEntries`. */
const sizeOf = (stored: StoredRun): number => stored.steps.length + stored.events.length;
/** The seq of the last event stored for the run; 0 for none or for an unknown run. */
const lastSeqOf = (stored: StoredRun | undefined): number => stored?.events.at(-1)?.seq ?? 0;
const copyAttempt = (attempt: StepAttempt): StepAttempt => ({ ...attempt });

function summaryOf(record: RunRecord): RunSummary {
  return {
    id: record.id,
    workflowId: record.workflowId,
    workflowVersion: record.workflowVersion,
    pattern: record.pattern,
    status: record.status,
    error: record.error === null ? null : copy(record.error),
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    durationMs: record.durationMs,
    triggeredBy: record.triggeredBy,
  };
}

/** Index of the first event with seq > afterSeq. */
function firstAfter(events: readonly RunEvent[], afterSeq: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle] as RunEvent).seq <= afterSeq) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class MemoryRunStore implements RunStore {
  readonly dialect = 'memory' as const;
  readonly instanceId: string;
  readonly #runs = new Map<string, StoredRun>();
  /** Every run sorted by (startedAt, id): the keyset order that pages walk. */
  #ordered: StoredRun[] = [];
  readonly #workflows = new Map<string, WorkflowVersionRecord[]>();
  #statistics: JsonValue | undefined;
  #closed = false;
  readonly #maxFinishedRuns: number | null;
  readonly #maxEntries: number | null;
  #finished = 0;
  /** Steps and events held of finished runs. */
  #finishedEntries = 0;
  readonly #scanner: RunScanner = {
    scanRuns: async (scan) => this.#scan(scan),
    countRuns: async (filter, range) => this.#count(filter, range),
  };

  constructor(options: MemoryRunStoreOptions = {}) {
    this.instanceId = options.instanceId ?? 'default';
    this.#maxFinishedRuns = options.maxFinishedRuns === undefined ? 10_000 : options.maxFinishedRuns;
    this.#maxEntries = options.maxEntries === undefined ? 500_000 : options.maxEntries;
  }

  #open(): void {
    if (this.#closed) throw storeClosed(this.dialect);
  }

  async migrate(): Promise<void> {
    this.#open();
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  async write(batch: StoreBatch): Promise<void> {
    this.#open();
    // Everything that could fail is checked before anything changes, which makes the batch atomic.
    const problem = this.#problemWith(batch);
    if (problem !== null) throw writeFailed(this.dialect, batch, new Error(problem));

    // The engine goes on updating the records it passed: keep copies (events never change).
    const { runs, steps, events } = batch;
    for (let i = 0; i < runs.length; i++) {
      const record = { ...(runs[i] as RunRecord) };
      const stored = this.#runs.get(record.id);
      if (record.status !== 'RUNNING' && (stored === undefined || stored.record.status === 'RUNNING')) {
        this.#finished++;
        if (stored !== undefined) this.#finishedEntries += sizeOf(stored);
      }
      if (stored === undefined) {
        const created: StoredRun = {
          record,
          input: record.input,
          owner: this.instanceId,
          agents: [],
          steps: [],
          events: [],
        };
        this.#runs.set(record.id, created);
        this.#insertOrdered(created);
      } else {
        const moved = stored.record.startedAt !== record.startedAt;
        if (moved) this.#removeOrdered(stored);
        stored.record = record;
        stored.owner = this.instanceId;
        if (moved) this.#insertOrdered(stored);
      }
    }
    let stored: StoredRun | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as StepRunRecord;
      if (stored?.record.id !== step.runId) stored = this.#runs.get(step.runId) as StoredRun;
      // A finished step's attempts never change again (a compensation is an execution of its own).
      const attemptLog = step.status === 'RUNNING' ? step.attemptLog.map(copyAttempt) : step.attemptLog;
      const held = stored.steps.length;
      stored.steps[step.execution - 1] = { ...step, attemptLog };
      if (stored.record.status !== 'RUNNING') this.#finishedEntries += stored.steps.length - held;
      const agents = stored.agents;
      for (let a = 0; a < attemptLog.length; a++) {
        const agent = (attemptLog[a] as StepAttempt).agent;
        if (!agents.includes(agent)) agents.push(agent);
      }
      if (step.agent !== null && !agents.includes(step.agent)) agents.push(step.agent);
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as RunEvent;
      if (stored?.record.id !== event.runId) stored = this.#runs.get(event.runId) as StoredRun;
      stored.events.push(event);
      if (stored.record.status !== 'RUNNING') this.#finishedEntries++;
    }
    if (batch.statistics !== undefined) this.#statistics = batch.statistics;
    // Dropping walks every run, so it waits for a tenth of a bound's worth of excess.
    const maxRuns = this.#maxFinishedRuns ?? Number.POSITIVE_INFINITY;
    const maxEntries = this.#maxEntries ?? Number.POSITIVE_INFINITY;
    if (this.#finished > maxRuns + Math.max(100, maxRuns / 10) || this.#finishedEntries > maxEntries * 1.1) {
      this.#dropOldest(maxRuns, maxEntries);
    }
  }

  /**
   * What the database stores would reject: steps or events of unknown runs, an event that does not
   * extend its run's log (a seq at or below one stored, or one earlier in the batch, for that run).
   */
  #problemWith(batch: StoreBatch): string | null {
    let batchRuns: Set<string> | null = null;
    const known = (runId: string) => {
      if (this.#runs.has(runId)) return true;
      batchRuns ??= new Set(batch.runs.map((run) => run.id));
      return batchRuns.has(runId);
    };
    const { steps, events } = batch;
    let checkedRun = '';
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as StepRunRecord;
      if (step.runId === checkedRun) continue;
      if (!known(step.runId)) return `step ${step.execution} refers to unknown run ${step.runId}`;
      checkedRun = step.runId;
    }
    // Events of one run come in runs of their own; the map is consulted when the run changes.
    const highest = new Map<string, number>();
    let runId = '';
    let last = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as RunEvent;
      if (event.runId !== runId) {
        if (runId !== '') highest.set(runId, last);
        runId = event.runId;
        const seen = highest.get(runId);
        if (seen !== undefined) last = seen;
        else {
          if (!known(runId)) return `event ${event.seq} refers to unknown run ${runId}`;
          last = lastSeqOf(this.#runs.get(runId));
        }
      }
      const problem = extensionProblem(runId, event.seq, last);
      if (problem !== null) return problem;
      last = event.seq;
    }
    return null;
  }

  /** Position of the first run whose key is >= (or > when `strict`) the given key. */
  #position(key: { startedAt: number; id: string }, strict: boolean): number {
    let low = 0;
    let high = this.#ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareKeys((this.#ordered[middle] as StoredRun).record, key);
      if (order < 0 || (strict && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #insertOrdered(stored: StoredRun): void {
    const last = this.#ordered[this.#ordered.length - 1];
    // Runs nearly always arrive in startedAt order, so this is an append.
    if (last === undefined || compareKeys(last.record, stored.record) < 0) this.#ordered.push(stored);
    else this.#ordered.splice(this.#position(stored.record, false), 0, stored);
  }

  #removeOrdered(stored: StoredRun): void {
    const index = this.#position(stored.record, false);
    if (this.#ordered[index] === stored) this.#ordered.splice(index, 1);
    else this.#ordered = this.#ordered.filter((candidate) => candidate !== stored);
  }

  async saveWorkflow(
    definition: WorkflowDefinition,
    hash: string,
    registeredAt: number,
  ): Promise<{ record: WorkflowVersionRecord; created: boolean }> {
    this.#open();
    const versions = this.#workflows.get(definition.id) ?? [];
    const latest = versions[versions.length - 1];
    if (latest !== undefined && latest.hash === hash) return { record: copy(latest), created: false };
    const version = (latest?.version ?? 0) + 1;
    const record: WorkflowVersionRecord = {
      id: definition.id,
      version,
      definition: { ...copy(definition), version },
      hash,
      registeredAt,
    };
    versions.push(record);
    this.#workflows.set(definition.id, versions);
    return { record: copy(record), created: true };
  }

  async getWorkflow(id: string, version?: number): Promise<WorkflowVersionRecord | null> {
    this.#open();
    const versions = this.#workflows.get(id) ?? [];
    const found = version === undefined ? versions[versions.length - 1] : versions[version - 1];
    return found === undefined ? null : copy(found);
  }

  async listWorkflows(): Promise<WorkflowVersionRecord[]> {
    this.#open();
    return [...this.#workflows.keys()].sort().map((id) => {
      const versions = this.#workflows.get(id) as WorkflowVersionRecord[];
      return copy(versions[versions.length - 1] as WorkflowVersionRecord);
    });
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    this.#open();
    return copy(this.#workflows.get(id) ?? []);
  }

  #fullRecord(stored: StoredRun): RunRecord {
    return copy({ ...stored.record, input: stored.input });
  }

  async getRuns(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    this.#open();
    return ids.map((id) => {
      const stored = this.#runs.get(id);
      return stored === undefined ? null : this.#fullRecord(stored);
    });
  }

  async listRuns(request: RunPageRequest): Promise<RunPage> {
    this.#open();
    return pageRuns(request, this.#scanner);
  }

  async countRuns(filter: RunFilter): Promise<number> {
    this.#open();
    return countMatchingRuns(filter, this.#scanner);
  }

  #matches(stored: StoredRun, filter: ScanFilter): boolean {
    const { record } = stored;
    if (filter.workflowId !== undefined && record.workflowId !== filter.workflowId) return false;
    if (filter.status !== undefined && !filter.status.includes(record.status)) return false;
    if (filter.pattern !== undefined && !filter.pattern.includes(record.pattern)) return false;
    if (filter.agent !== undefined && !stored.agents.includes(filter.agent)) return false;
    return true;
  }

  #slice(range: KeyRange): { from: number; to: number } {
    const from = range.lower === null ? 0 : this.#position(range.lower, !range.lower.inclusive);
    const to =
      range.upper === null ? this.#ordered.length : this.#position(range.upper, range.upper.inclusive);
    return { from, to };
  }

  #scan(scan: RunScan): RunSummary[] {
    const { from, to } = this.#slice(scan);
    const found: RunSummary[] = [];
    const step = scan.descending ? -1 : 1;
    for (
      let i = scan.descending ? to - 1 : from;
      i >= from && i < to && found.length < scan.limit;
      i += step
    ) {
      const stored = this.#ordered[i] as StoredRun;
      if (this.#matches(stored, scan.filter)) found.push(summaryOf(stored.record));
    }
    return found;
  }

  #count(filter: ScanFilter, range: KeyRange): number {
    const { from, to } = this.#slice(range);
    let count = 0;
    for (let i = from; i < to; i++) if (this.#matches(this.#ordered[i] as StoredRun, filter)) count++;
    return count;
  }

  async getStepRuns(runIds: readonly string[]): Promise<StepRunRecord[][]> {
    this.#open();
    return runIds.map((runId) => {
      const stored = this.#runs.get(runId);
      if (stored === undefined) return [];
      return copy(stored.steps.filter((step) => step !== undefined));
    });
  }

  async getEvents(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    this.#open();
    checkEventLimit(limit);
    const stored = this.#runs.get(runId);
    if (stored === undefined) return [];
    const from = firstAfter(stored.events, afterSeq);
    return copy(stored.events.slice(from, limit === undefined ? undefined : from + limit));
  }

  async getLastSeq(runId: string): Promise<number> {
    this.#open();
    return lastSeqOf(this.#runs.get(runId));
  }

  async listRunningRuns(): Promise<RunRecord[]> {
    this.#open();
    return this.#ordered
      .filter((stored) => stored.record.status === 'RUNNING' && stored.owner === this.instanceId)
      .map((stored) => this.#fullRecord(stored));
  }

  async prune(policy: RetentionPolicy): Promise<number> {
    this.#open();
    checkRetentionPolicy(policy);
    return this.#prune(policy);
  }

  /**
   * Drops the finished runs that started first (the cheap approximation of "oldest" for the bounds)
   * until at most `maxRuns` finished runs and `maxEntries` steps and events are left.
   */
  #dropOldest(maxRuns: number, maxEntries: number): void {
    const doomed = new Set<StoredRun>();
    for (const stored of this.#ordered) {
      if (this.#finished <= maxRuns && this.#finishedEntries <= maxEntries) break;
      if (stored.record.status === 'RUNNING') continue;
      doomed.add(stored);
      this.#finished--;
      this.#finishedEntries -= sizeOf(stored);
    }
    this.#forget(doomed);
  }

  /** Removes the given runs from the indexes. */
  #forget(doomed: ReadonlySet<StoredRun>): void {
    for (const stored of doomed) this.#runs.delete(stored.record.id);
    this.#ordered = this.#ordered.filter((stored) => !doomed.has(stored));
  }

  #prune(policy: RetentionPolicy): number {
    const finished = this.#ordered.filter((stored) => stored.record.status !== 'RUNNING');
    const doomed = new Set<StoredRun>();
    const { finishedBefore, maxFinishedRuns } = policy;
    if (finishedBefore !== undefined) {
      for (const stored of finished) {
        const { finishedAt } = stored.record;
        if (finishedAt !== null && finishedAt < finishedBefore) doomed.add(stored);
      }
    }
    if (maxFinishedRuns !== undefined && finished.length > maxFinishedRuns) {
      // Most recently finished first; a finished run without finishedAt counts as the oldest.
      finished.sort((a, b) => {
        const aAt = a.record.finishedAt ?? Number.NEGATIVE_INFINITY;
        const bAt = b.record.finishedAt ?? Number.NEGATIVE_INFINITY;
        if (aAt !== bAt) return aAt > bAt ? -1 : 1;
        return a.record.id > b.record.id ? -1 : 1;
      });
      for (const stored of finished.slice(maxFinishedRuns)) doomed.add(stored);
    }
    this.#finished = finished.length - doomed.size;
    if (doomed.size === 0) return 0;
    for (const stored of doomed) this.#finishedEntries -= sizeOf(stored);
    this.#forget(doomed);
    return doomed.size;
  }

  async loadStatistics(): Promise<JsonValue | null> {
    this.#open();
    return this.#statistics === undefined ? null : copy(this.#statistics);
  }
}
