/**
 * The RunStore contract, as one suite run against every implementation: memory, SQLite in memory,
 * SQLite in a file, and PostgreSQL when ORQUESTRA_TEST_POSTGRES_URL names a server (each test in a
 * schema of its own, dropped afterwards). Real databases only: what is asserted is what they do.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunFilter, RunPageRequest, RunStore, RunSummary } from '../../src/engine/store.ts';
import { MemoryRunStore } from '../../src/store/memory-run-store.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import {
  attempt,
  buildHistory,
  byKey,
  eventRecord,
  expectedRuns,
  finished,
  type History,
  runRecord,
  stepRecord,
  summaryOf,
  T0,
  workflowDefinition,
} from './run-fixtures.ts';

/** One test's database, and the stores opened on it. */
interface StoreHarness {
  /** Opens a store on this test's database with the given instance id. */
  open(instanceId: string): Promise<RunStore>;
  /** Stores opened twice share one database (and so see each other's runs). */
  readonly shared: boolean;
  /** What was written survives every store on the database being closed. */
  readonly durable: boolean;
  dispose(): Promise<void>;
}

interface StoreKind {
  name: string;
  create(): Promise<StoreHarness>;
}

function harness(
  open: (instanceId: string) => Promise<RunStore>,
  shape: { shared: boolean; durable: boolean },
  cleanup: () => Promise<void> | void = () => {},
): StoreHarness {
  const opened: RunStore[] = [];
  return {
    ...shape,
    async open(instanceId) {
      const store = await open(instanceId);
      opened.push(store);
      return store;
    },
    async dispose() {
      // The database goes even when a store fails to close, so that no test leaves a schema behind.
      const closed = await Promise.allSettled(opened.map((store) => store.close()));
      await cleanup();
      for (const result of closed) if (result.status === 'rejected') throw result.reason;
    },
  };
}

const memoryKind: StoreKind = {
  name: 'memory',
  create: async () =>
    harness(async (instanceId) => new MemoryRunStore({ instanceId }), { shared: false, durable: false }),
};

const sqliteMemoryKind: StoreKind = {
  name: 'SQLite :memory:',
  create: async () =>
    harness((instanceId) => openRunStore('sqlite::memory:', { instanceId }), {
      shared: false,
      durable: false,
    }),
};

const sqliteFileKind: StoreKind = {
  name: 'SQLite file',
  create: async () => {
    const directory = mkdtempSync(join(tmpdir(), 'orquestra-store-'));
    const url = `sqlite:${join(directory, 'nested', 'runs.db')}`;
    return harness(
      (instanceId) => openRunStore(url, { instanceId }),
      { shared: true, durable: true },
      () => rmSync(directory, { recursive: true, force: true }),
    );
  },
};

const POSTGRES_URL = process.env.ORQUESTRA_TEST_POSTGRES_URL;
let postgresAdmin: pg.Pool | null = null;
let schemaCounter = 0;

const postgresKind: StoreKind = {
  name: 'PostgreSQL',
  create: async () => {
    const schema = `orquestra_test_${process.pid}_${++schemaCounter}_${Math.random().toString(36).slice(2, 8)}`;
    const url = new URL(POSTGRES_URL as string);
    url.searchParams.set('schema', schema);
    return harness(
      (instanceId) => openRunStore(url.toString(), { instanceId }),
      { shared: true, durable: true },
      async () => {
        await postgresAdmin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    );
  },
};

const ids = (runs: readonly { id: string }[]) => runs.map((run) => run.id);

/** Every page of a listing, following cursors, with the flags each page reported. */
async function allPages(store: RunStore, request: Omit<RunPageRequest, 'after' | 'before'>) {
  const pages: { ids: string[]; hasNextPage: boolean; hasPreviousPage: boolean }[] = [];
  const backward = request.last !== undefined;
  let cursor: { startedAt: number; id: string } | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await store.listRuns(
      backward ? { ...request, before: cursor } : { ...request, after: cursor },
    );
    pages.push({ ids: ids(page.runs), hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage });
    const more = backward ? page.hasPreviousPage : page.hasNextPage;
    const edge = backward ? page.runs[0] : page.runs[page.runs.length - 1];
    if (!more || edge === undefined) break;
    cursor = { startedAt: edge.startedAt, id: edge.id };
  }
  return pages;
}

function runStoreContract(kind: StoreKind): void {
  describe(`RunStore contract: ${kind.name}`, () => {
    let database: StoreHarness;
    let store: RunStore;

    beforeEach(async () => {
      database = await kind.create();
      store = await database.open('instance-a');
    });

    afterEach(async () => {
      await database.dispose();
    });

    async function seed(history: History): Promise<void> {
      await store.write({ runs: history.runs, steps: history.steps, events: [] });
    }

    describe('lifecycle', () => {
      it('migrates twice harmlessly and answers ping', async () => {
        await store.migrate();
        await store.migrate();
        await store.ping();
        await store.write({ runs: [runRecord('r1')], steps: [], events: [] });
        await store.migrate();
        expect(ids(await store.getRuns(['r1']).then((runs) => runs.filter((run) => run !== null)))).toEqual([
          'r1',
        ]);
      });

      it('closes idempotently and refuses work afterwards', async () => {
        await store.close();
        await store.close();
        await expect(store.getRuns(['r1'])).rejects.toThrow(/closed/);
        await expect(store.listRuns({ filter: {}, orderBy: 'STARTED_AT_DESC' })).rejects.toThrow(/closed/);
        await expect(store.countRuns({})).rejects.toThrow(/closed/);
        await expect(store.write({ runs: [runRecord('r1')], steps: [], events: [] })).rejects.toThrow(
          /closed/,
        );
      });

      it('knows its dialect and instance', () => {
        expect(store.instanceId).toBe('instance-a');
        expect(['memory', 'sqlite', 'postgres']).toContain(store.dialect);
      });
    });

    describe('write', () => {
      it('stores full run records and returns them aligned with the ids asked for', async () => {
        const r1 = runRecord('r1', {
          input: { nested: { list: [1, 'two', null, true], empty: {} }, text: 'ção "quoted" \\ back' },
          triggeredBy: 'contract.signed',
        });
        const r2 = finished(
          runRecord('r2', { startedAt: T0 + 10, pattern: 'SAGA', workflowVersion: 3 }),
          'FAILED',
          T0 + 99,
        );
        r2.error = {
          kind: 'WORKFLOW_FAILURE',
          message: 'compensation failed',
          details: { steps: ['a', 'b'] },
        };
        r2.output = [1, 2, { three: 3 }];
        await store.write({ runs: [r1, r2], steps: [], events: [] });
        expect(await store.getRuns(['r2', 'missing', 'r1'])).toEqual([r2, null, r1]);
        expect(await store.getRuns([])).toEqual([]);
      });

      it('upserts runs by id but keeps the input written first', async () => {
        await store.write({ runs: [runRecord('r1', { input: { first: true } })], steps: [], events: [] });
        const done = finished(runRecord('r1', { input: { second: true } }), 'COMPLETED', T0 + 50);
        done.output = { verdict: 'clean' };
        await store.write({ runs: [done], steps: [], events: [] });
        expect(await store.getRuns(['r1'])).toEqual([{ ...done, input: { first: true } }]);
      });

      it('applies a run named twice in one batch as if written one after the other', async () => {
        const started = runRecord('r1', { input: { first: true } });
        const done = finished(runRecord('r1', { input: { second: true } }), 'COMPLETED', T0 + 50);
        await store.write({
          runs: [started, done],
          steps: [stepRecord('r1', 1), stepRecord('r1', 1, { status: 'FAILED' })],
          events: [],
        });
        expect(await store.getRuns(['r1'])).toEqual([{ ...done, input: { first: true } }]);
        expect((await store.getStepRuns(['r1']))[0]?.map((step) => step.status)).toEqual(['FAILED']);
      });

      it('writes a batch of many runs, among them one stored already and one named twice', async () => {
        await store.write({ runs: [runRecord('old', { input: { first: true } })], steps: [], events: [] });
        // A refused batch makes the SQL stores forget what they knew: 'old' is then stored but unknown.
        await expect(store.write({ runs: [], steps: [], events: [eventRecord('ghost', 1)] })).rejects.toThrow(
          /rolled back/,
        );
        const many = Array.from({ length: 40 }, (_, i) =>
          runRecord(`many-${String(i).padStart(2, '0')}`, { startedAt: T0 + i, input: { i } }),
        );
        const oldDone = finished(runRecord('old', { input: { second: true } }), 'COMPLETED', T0 + 50);
        const twiceDone = finished(runRecord('many-05', { input: { again: true } }), 'FAILED', T0 + 60);
        await store.write({
          runs: [...many.slice(0, 3), oldDone, ...many.slice(3, 8), twiceDone, ...many.slice(8)],
          steps: many.map((run) => stepRecord(run.id, 1)),
          events: many.map((run) => eventRecord(run.id, 1)),
        });
        const expected = many.map((run) => (run.id === 'many-05' ? { ...twiceDone, input: { i: 5 } } : run));
        expect(await store.getRuns(many.map((run) => run.id))).toEqual(expected);
        expect(await store.getRuns(['old'])).toEqual([{ ...oldDone, input: { first: true } }]);
        expect((await store.getStepRuns(['many-39']))[0]).toEqual([stepRecord('many-39', 1)]);
        expect(await store.getEvents('many-17', 0)).toEqual([eventRecord('many-17', 1)]);
        expect(await store.countRuns({ agent: 'zumbi' })).toBe(40);
        await store.write({ runs: [], steps: [], events: many.map((run) => eventRecord(run.id, 2)) });
        expect(await store.getLastSeq('many-00')).toBe(2);
      });

      it('upserts steps by (runId, execution) and returns them in execution order', async () => {
        await store.write({
          runs: [runRecord('r1'), runRecord('r2')],
          steps: [
            stepRecord('r1', 2, { status: 'RUNNING', finishedAt: null, durationMs: null, output: null }),
            stepRecord('r1', 1),
          ],
          events: [],
        });
        const completed = stepRecord('r1', 2, {
          status: 'FAILED',
          attempts: 2,
          itemIndex: 4,
          error: { kind: 'TIMEOUT', message: 'too slow', agent: 'zumbi' },
          attemptLog: [
            attempt('zumbi'),
            attempt('zumbi', { attempt: 2, error: { kind: 'TIMEOUT', message: 'too slow' } }),
          ],
        });
        await store.write({ runs: [], steps: [completed], events: [] });
        const [r1Steps, r2Steps, unknown] = await store.getStepRuns(['r1', 'r2', 'nope']);
        expect(r1Steps).toEqual([stepRecord('r1', 1), completed]);
        expect(r2Steps).toEqual([]);
        expect(unknown).toEqual([]);
      });

      it('appends events and reads them after a seq, with or without a limit', async () => {
        const events = [1, 2, 3, 4, 5].map((seq) => eventRecord('r1', seq));
        events[0] = eventRecord('r1', 1, {
          type: 'RUN_STARTED',
          stepId: null,
          agent: null,
          attempt: null,
          data: null,
        });
        await store.write({
          runs: [runRecord('r1'), runRecord('r2')],
          steps: [],
          events: events.slice(0, 3),
        });
        await store.write({ runs: [], steps: [], events: events.slice(3) });
        expect(await store.getEvents('r1', 0)).toEqual(events);
        expect(await store.getEvents('r1', 2)).toEqual(events.slice(2));
        expect(await store.getEvents('r1', 1, 2)).toEqual(events.slice(1, 3));
        expect(await store.getEvents('r1', 1, 0)).toEqual([]);
        expect(await store.getEvents('r1', 5)).toEqual([]);
        expect(await store.getEvents('r2', 0)).toEqual([]);
        expect(await store.getLastSeq('r1')).toBe(5);
        expect(await store.getLastSeq('r2')).toBe(0);
        expect(await store.getLastSeq('missing')).toBe(0);
        await expect(store.getEvents('r1', 0, -1)).rejects.toThrow(/limit/);
      });

      it('leaves nothing behind when a batch repeats a (runId, seq)', async () => {
        await store.write({
          runs: [runRecord('r1')],
          steps: [],
          events: [eventRecord('r1', 1)],
          statistics: { v: 1 },
        });
        const failing = store.write({
          runs: [runRecord('r2'), finished(runRecord('r1'), 'COMPLETED', T0 + 9)],
          steps: [stepRecord('r2', 1), stepRecord('r1', 1)],
          events: [eventRecord('r2', 1), eventRecord('r2', 2), eventRecord('r2', 2, { message: 'again' })],
          statistics: { v: 2 },
        });
        await expect(failing).rejects.toThrow(/rolled back/);
        expect(await store.getRuns(['r1', 'r2'])).toEqual([runRecord('r1'), null]);
        expect(await store.getStepRuns(['r1', 'r2'])).toEqual([[], []]);
        expect(await store.getLastSeq('r2')).toBe(0);
        expect(await store.countRuns({ agent: 'zumbi' })).toBe(0);
        expect(await store.loadStatistics()).toEqual({ v: 1 });
        // An event already stored is as much a duplicate as one repeated within the batch.
        await expect(
          store.write({ runs: [runRecord('r3')], steps: [], events: [eventRecord('r1', 1)] }),
        ).rejects.toThrow(/rolled back/);
        expect(await store.getRuns(['r3'])).toEqual([null]);
        // The store is still usable afterwards.
        await store.write({ runs: [runRecord('r2')], steps: [], events: [eventRecord('r2', 1)] });
        expect(await store.getLastSeq('r2')).toBe(1);
      });

      it('rejects steps and events of a run it does not know, keeping nothing of the batch', async () => {
        await expect(
          store.write({ runs: [runRecord('r1')], steps: [stepRecord('ghost', 1)], events: [] }),
        ).rejects.toThrow(/rolled back/);
        await expect(
          store.write({ runs: [runRecord('r1')], steps: [], events: [eventRecord('ghost', 1)] }),
        ).rejects.toThrow(/rolled back/);
        expect(await store.getRuns(['r1'])).toEqual([null]);
      });

      it('replaces the statistics snapshot, and keeps it when a batch carries none', async () => {
        expect(await store.loadStatistics()).toBeNull();
        await store.write({
          runs: [],
          steps: [],
          events: [],
          statistics: { runs: 1, agents: { zumbi: [1, 2] } },
        });
        expect(await store.loadStatistics()).toEqual({ runs: 1, agents: { zumbi: [1, 2] } });
        await store.write({ runs: [runRecord('r1')], steps: [], events: [] });
        expect(await store.loadStatistics()).toEqual({ runs: 1, agents: { zumbi: [1, 2] } });
        await store.write({ runs: [], steps: [], events: [], statistics: { runs: 2 } });
        expect(await store.loadStatistics()).toEqual({ runs: 2 });
      });

      it('hands out copies: mutating what was read or written does not change the store', async () => {
        const run = runRecord('r1', { input: { list: [1] } });
        await store.write({ runs: [run], steps: [stepRecord('r1', 1)], events: [eventRecord('r1', 1)] });
        const [read] = await store.getRuns(['r1']);
        (read?.input as { list: number[] } | undefined)?.list.push(2);
        const [steps] = await store.getStepRuns(['r1']);
        steps?.[0]?.attemptLog.push(attempt('intruder'));
        const [event] = await store.getEvents('r1', 0);
        if (event?.data) event.data.seq = 99;
        expect(await store.getRuns(['r1'])).toEqual([runRecord('r1', { input: { list: [1] } })]);
        expect(await store.getStepRuns(['r1'])).toEqual([[stepRecord('r1', 1)]]);
        expect(await store.getEvents('r1', 0)).toEqual([eventRecord('r1', 1)]);
      });
    });

    // The SQL stores keep a run's events as chunks, one per write batch (src/store/event-chunks.ts):
    // these cases sit on chunk boundaries and between them.
    describe('event log', () => {
      const log = (runId: string, seqs: readonly number[]) => seqs.map((seq) => eventRecord(runId, seq));
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      const appendOnly = (events: ReturnType<typeof eventRecord>[]) => ({ runs: [], steps: [], events });

      it('reads from inside a batch and across batches, with limits that cross them', async () => {
        const events = log('r1', range(1, 10));
        const other = log('r2', [1, 2]);
        await store.write({
          runs: [runRecord('r1'), runRecord('r2')],
          steps: [],
          // Interleaved with another run's events, as the engine's batches are.
          events: [events[0], other[0], ...events.slice(1, 4)] as typeof events,
        });
        await store.write(appendOnly([other[1], ...events.slice(4, 6)] as typeof events));
        await store.write(appendOnly(events.slice(6)));
        for (let after = 0; after <= 11; after++) {
          expect(await store.getEvents('r1', after)).toEqual(events.slice(after));
          for (const limit of [1, 2, 3, 5, 9]) {
            expect(await store.getEvents('r1', after, limit)).toEqual(events.slice(after, after + limit));
          }
        }
        expect(await store.getEvents('r2', 0)).toEqual(other);
        expect(await store.getEvents('r2', 1, 1)).toEqual(other.slice(1));
        expect(await store.getLastSeq('r1')).toBe(10);
        expect(await store.getLastSeq('r2')).toBe(2);
      });

      it('reads a log whose seqs have gaps, from anywhere, with any limit', async () => {
        const batches = [[1, 2, 3], [10, 11], [50, 51, 52], [400], [401, 1_000]];
        await store.write({ runs: [runRecord('r1')], steps: [], events: [] });
        for (const seqs of batches) await store.write(appendOnly(log('r1', seqs)));
        const events = log('r1', batches.flat());
        for (const after of [0, 1, 2, 3, 5, 10, 11, 20, 50, 51, 52, 100, 400, 401, 999, 1_000, 5_000]) {
          for (const limit of [undefined, 1, 2, 3, 4, 7, 100]) {
            const expected = events.filter((event) => event.seq > after).slice(0, limit);
            expect(await store.getEvents('r1', after, limit)).toEqual(expected);
          }
        }
        expect(await store.getLastSeq('r1')).toBe(1_000);
      });

      it('keeps a batch of a thousand events of one run, and reads it back in pieces', async () => {
        const events = log('r1', range(1, 1_000));
        await store.write({ runs: [runRecord('r1')], steps: [], events });
        expect(await store.getEvents('r1', 0)).toEqual(events);
        expect(await store.getEvents('r1', 255, 3)).toEqual(events.slice(255, 258));
        expect(await store.getEvents('r1', 500, 600)).toEqual(events.slice(500));
        expect(await store.getEvents('r1', 0, 1_000)).toEqual(events);
        expect(await store.getLastSeq('r1')).toBe(1_000);
        await expect(store.write(appendOnly([eventRecord('r1', 700)]))).rejects.toThrow(/rolled back/);
        await store.write(appendOnly([eventRecord('r1', 1_001)]));
        expect(await store.getEvents('r1', 998)).toEqual([...events.slice(998), eventRecord('r1', 1_001)]);
      });

      it("refuses an event that does not extend its run's log, keeping nothing of the batch", async () => {
        await store.write({ runs: [runRecord('r1')], steps: [], events: log('r1', [1, 2, 3]) });
        await store.write(appendOnly(log('r1', [4, 5, 6])));
        await store.write({ runs: [], steps: [], events: [], statistics: { v: 1 } });
        const refused = [
          [eventRecord('r1', 2)], // a seq stored in an earlier chunk
          [eventRecord('r1', 6)], // the last seq stored
          [eventRecord('r1', 7), eventRecord('r1', 5)], // back below the stored log within the batch
          [eventRecord('r1', 7), eventRecord('r1', 7, { message: 'again' })], // repeated in the batch
          [eventRecord('r1', 8), eventRecord('r1', 7)], // the batch's own events going backwards
          [eventRecord('r2', 0)], // seqs start at 1
          [eventRecord('r2', 1.5)], // seqs are integers
        ];
        for (const events of refused) {
          const failing = store.write({
            runs: [runRecord('r2'), finished(runRecord('r1'), 'COMPLETED', T0 + 9)],
            steps: [stepRecord('r1', 1)],
            events,
            statistics: { v: 2 },
          });
          await expect(failing).rejects.toThrow(/rolled back/);
        }
        expect(await store.getRuns(['r1', 'r2'])).toEqual([runRecord('r1'), null]);
        expect(await store.getStepRuns(['r1'])).toEqual([[]]);
        expect(await store.loadStatistics()).toEqual({ v: 1 });
        expect(await store.getEvents('r1', 0)).toEqual(log('r1', range(1, 6)));
        // What is left is still a log that grows.
        await store.write(appendOnly(log('r1', [7, 9])));
        expect(await store.getLastSeq('r1')).toBe(9);
      });

      it('refuses a seq another store on the same database has appended meanwhile', async () => {
        if (!database.shared) return;
        const other = await database.open('instance-b');
        await store.write({ runs: [runRecord('r1')], steps: [], events: log('r1', [1]) });
        await other.write(appendOnly(log('r1', [2, 3])));
        await expect(store.write(appendOnly(log('r1', [3, 4])))).rejects.toThrow(/rolled back/);
        await store.write(appendOnly(log('r1', [4])));
        expect(await other.getEvents('r1', 0)).toEqual(log('r1', [1, 2, 3, 4]));
        expect(await other.getLastSeq('r1')).toBe(4);
      });

      it('lets one of two stores appending overlapping seqs at once win', async () => {
        if (!database.shared) return;
        const other = await database.open('instance-b');
        await store.write({ runs: [runRecord('r1')], steps: [], events: log('r1', [1]) });
        for (let round = 0; round < 5; round++) {
          const last = await store.getLastSeq('r1');
          // Different last seqs, so that only the check of the whole log can refuse one of them.
          const outcomes = await Promise.allSettled([
            store.write(appendOnly(log('r1', [last + 1, last + 2]))),
            other.write(appendOnly(log('r1', [last + 2, last + 3]))),
          ]);
          expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
          const seqs = (await other.getEvents('r1', 0)).map((event) => event.seq);
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        }
      });
    });

    describe('workflows', () => {
      it('versions definitions by hash and fills in the version', async () => {
        const first = await store.saveWorkflow({ ...workflowDefinition('wf-a'), version: 42 }, 'hash-1', T0);
        expect(first).toEqual({
          created: true,
          record: {
            id: 'wf-a',
            version: 1,
            hash: 'hash-1',
            registeredAt: T0,
            definition: { ...workflowDefinition('wf-a'), version: 1 },
          },
        });
        const same = await store.saveWorkflow(
          workflowDefinition('wf-a', 'renamed but same hash'),
          'hash-1',
          T0 + 1,
        );
        expect(same).toEqual({ created: false, record: first.record });
        const second = await store.saveWorkflow(workflowDefinition('wf-a', 'changed'), 'hash-2', T0 + 2);
        expect(second.created).toBe(true);
        expect(second.record.version).toBe(2);
        expect(second.record.definition).toEqual({ ...workflowDefinition('wf-a', 'changed'), version: 2 });
        // Back to an older definition is a new version: only the latest hash is compared.
        const third = await store.saveWorkflow(workflowDefinition('wf-a'), 'hash-1', T0 + 3);
        expect([third.created, third.record.version]).toEqual([true, 3]);
        await store.saveWorkflow(workflowDefinition('wf-0'), 'hash-x', T0 + 4);

        expect(await store.getWorkflow('wf-a')).toEqual(third.record);
        expect(await store.getWorkflow('wf-a', 2)).toEqual(second.record);
        expect(await store.getWorkflow('wf-a', 9)).toBeNull();
        expect(await store.getWorkflow('nope')).toBeNull();
        expect((await store.listWorkflowVersions('wf-a')).map((record) => record.version)).toEqual([1, 2, 3]);
        expect(await store.listWorkflowVersions('nope')).toEqual([]);
        expect((await store.listWorkflows()).map((record) => [record.id, record.version])).toEqual([
          ['wf-0', 1],
          ['wf-a', 3],
        ]);
      });

      it('gives concurrent registrations distinct versions', async () => {
        const other = database.shared ? await database.open('instance-b') : store;
        const results = await Promise.all(
          [0, 1, 2, 3, 4, 5].map((i) =>
            (i % 2 === 0 ? store : other).saveWorkflow(
              workflowDefinition('wf-race', `v${i}`),
              `hash-${i}`,
              T0 + i,
            ),
          ),
        );
        expect(results.every((result) => result.created)).toBe(true);
        expect(results.map((result) => result.record.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
        expect((await store.listWorkflowVersions('wf-race')).map((record) => record.version)).toEqual([
          1, 2, 3, 4, 5, 6,
        ]);
        const again = await Promise.all(
          [store, other, store].map((s) => s.saveWorkflow(workflowDefinition('wf-same'), 'same', T0)),
        );
        expect(again.filter((result) => result.created)).toHaveLength(1);
        expect(again.map((result) => result.record.version)).toEqual([1, 1, 1]);
      });
    });

    describe('listRuns', () => {
      let history: History;
      beforeEach(async () => {
        history = buildHistory();
        await seed(history);
      });

      it('orders by (startedAt, id) in either direction, ties broken by id', async () => {
        const ascending = history.runs.map(summaryOf).sort(byKey);
        const asc = await store.listRuns({ filter: {}, orderBy: 'STARTED_AT_ASC', first: 500 });
        expect(asc.runs).toEqual(ascending);
        const desc = await store.listRuns({ filter: {}, orderBy: 'STARTED_AT_DESC', first: 500 });
        expect(desc.runs).toEqual([...ascending].reverse());
        expect([desc.hasNextPage, desc.hasPreviousPage]).toEqual([false, false]);
        // The history really has ties, so the id tie-break is exercised.
        expect(new Set(ascending.map((run) => run.startedAt)).size).toBeLessThan(ascending.length);
      });

      it('pages forward with accurate flags on every page', async () => {
        const expected = ids(expectedRuns(history, {})).reverse();
        const pages = await allPages(store, { filter: {}, orderBy: 'STARTED_AT_DESC', first: 7 });
        expect(pages.flatMap((page) => page.ids)).toEqual(expected);
        expect(pages.map((page) => page.ids.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
        expect(pages.map((page) => page.hasNextPage)).toEqual([
          true,
          true,
          true,
          true,
          true,
          true,
          true,
          true,
          false,
        ]);
        expect(pages.map((page) => page.hasPreviousPage)).toEqual([
          false,
          true,
          true,
          true,
          true,
          true,
          true,
          true,
          true,
        ]);
      });

      it('pages backward, each page still in orderBy order', async () => {
        for (const orderBy of ['STARTED_AT_DESC', 'STARTED_AT_ASC'] as const) {
          const ascending = ids(expectedRuns(history, {}));
          const expected = orderBy === 'STARTED_AT_ASC' ? ascending : [...ascending].reverse();
          const pages = await allPages(store, { filter: {}, orderBy, last: 25 });
          expect(pages.map((page) => page.ids)).toEqual([
            expected.slice(35),
            expected.slice(10, 35),
            expected.slice(0, 10),
          ]);
          expect(pages.map((page) => page.hasPreviousPage)).toEqual([true, true, false]);
          expect(pages.map((page) => page.hasNextPage)).toEqual([false, true, true]);
        }
      });

      it('keeps pages stable while runs are inserted between requests', async () => {
        const expected = ids(expectedRuns(history, {})).reverse();
        const first = await store.listRuns({ filter: {}, orderBy: 'STARTED_AT_DESC', first: 10 });
        expect(ids(first.runs)).toEqual(expected.slice(0, 10));
        const cursorRun = first.runs[9] as RunSummary;
        // Newer runs, older runs, and runs with the cursor's own startedAt on both sides of its id.
        const tiedAfter = `${cursorRun.id}-after`;
        const tiedBefore = cursorRun.id.slice(0, -1);
        const inserted = [
          runRecord('zzz-newest', { startedAt: T0 + 999_000 }),
          runRecord('aaa-oldest', { startedAt: T0 - 999_000 }),
          runRecord(tiedAfter, { startedAt: cursorRun.startedAt }),
          runRecord(tiedBefore, { startedAt: cursorRun.startedAt }),
        ];
        await store.write({ runs: inserted, steps: [], events: [] });
        const second = await store.listRuns({
          filter: {},
          orderBy: 'STARTED_AT_DESC',
          first: 10,
          after: { startedAt: cursorRun.startedAt, id: cursorRun.id },
        });
        // The page continues exactly after the cursor's key, whatever arrived meanwhile.
        const afterCursor = [...history.runs, ...inserted]
          .map(summaryOf)
          .sort(byKey)
          .reverse()
          .filter((run) => byKey(run, cursorRun) < 0);
        expect(ids(second.runs)).toEqual(ids(afterCursor).slice(0, 10));
        expect(ids(second.runs)).toContain(tiedBefore);
        expect(ids(second.runs)).not.toContain(tiedAfter);
        expect(ids(second.runs)).not.toContain('zzz-newest');
        expect(second.hasPreviousPage).toBe(true);
        // Nothing read on the first page comes again.
        expect(ids(second.runs).filter((id) => ids(first.runs).includes(id))).toEqual([]);
      });

      it('still pages from a cursor whose run was deleted', async () => {
        const desc = ids(expectedRuns(history, {})).reverse();
        const cursor = history.runs.find((run) => run.id === desc[4]) as (typeof history.runs)[number];
        const page = await store.listRuns({
          filter: {},
          orderBy: 'STARTED_AT_DESC',
          first: 3,
          after: { startedAt: cursor.startedAt, id: cursor.id },
        });
        expect(ids(page.runs)).toEqual(desc.slice(5, 8));
      });

      it('validates page sizes and directions', async () => {
        const base = { filter: {}, orderBy: 'STARTED_AT_DESC' } as const;
        await expect(store.listRuns({ ...base, first: 501 })).rejects.toThrow(
          /first must be an integer from 0 to 500/,
        );
        await expect(store.listRuns({ ...base, first: -1 })).rejects.toThrow(/first/);
        await expect(store.listRuns({ ...base, first: 2.5 })).rejects.toThrow(/first/);
        await expect(store.listRuns({ ...base, last: 1000 })).rejects.toThrow(/last/);
        await expect(store.listRuns({ ...base, first: 5, last: 5 })).rejects.toThrow(/not both/);
        await expect(
          store.listRuns({ ...base, last: 5, after: { startedAt: T0, id: 'run-001' } }),
        ).rejects.toThrow(/not both/);
        await expect(
          store.listRuns({ ...base, first: 5, before: { startedAt: T0, id: 'run-001' } }),
        ).rejects.toThrow(/not both/);
        const empty = await store.listRuns({ ...base, first: 0 });
        expect([empty.runs, empty.hasNextPage, empty.hasPreviousPage]).toEqual([[], true, false]);
        const full = await store.listRuns({ ...base, first: 500 });
        expect(full.runs).toHaveLength(60);
        const byDefault = await store.listRuns(base);
        expect(ids(byDefault.runs)).toEqual(ids(full.runs).slice(0, 50));
      });

      const filters: [string, RunFilter][] = [
        ['one status', { status: ['FAILED'] }],
        ['several statuses', { status: ['RUNNING', 'CANCELLED', 'TIMED_OUT'] }],
        ['a workflow', { workflowId: 'wf-beta' }],
        ['one pattern', { pattern: ['SAGA'] }],
        ['several patterns', { pattern: ['PARALLEL', 'MAP_REDUCE'] }],
        ['an agent', { agent: 'anita' }],
        ['an agent that only ran as fallback', { agent: 'bira' }],
        ['startedAfter, inclusive', { startedAfter: T0 + 11_000 }],
        ['startedBefore, exclusive', { startedBefore: T0 + 11_000 }],
        ['a started range', { startedAfter: T0 + 4_000, startedBefore: T0 + 15_000 }],
        ['status and workflow', { status: ['COMPLETED', 'FAILED'], workflowId: 'wf-alpha' }],
        ['agent and status', { agent: 'zumbi', status: ['COMPLETED'] }],
        [
          'agent, pattern and range',
          { agent: 'tiradentes', pattern: ['SEQUENTIAL', 'SAGA', 'CONDITIONAL'], startedAfter: T0 + 2_000 },
        ],
        [
          'everything',
          {
            status: ['COMPLETED', 'FAILED', 'RUNNING'],
            workflowId: 'wf-gamma',
            pattern: ['SEQUENTIAL', 'PARALLEL', 'SAGA', 'MAP_REDUCE'],
            agent: 'machado',
            startedAfter: T0,
            startedBefore: T0 + 20_000,
          },
        ],
        ['an unknown agent', { agent: 'nobody' }],
        ['an empty status list', { status: [] }],
        ['an empty pattern list', { pattern: [] }],
        ['an empty range', { startedAfter: T0 + 5_000, startedBefore: T0 + 5_000 }],
      ];

      for (const [name, filter] of filters) {
        it(`filters by ${name}, in both orders and counts alike`, async () => {
          const expected = ids(expectedRuns(history, filter));
          if (
            name.startsWith('an ') &&
            name !== 'an agent' &&
            name !== 'an agent that only ran as fallback'
          ) {
            expect(expected).toEqual([]);
          } else {
            expect(expected.length).toBeGreaterThan(0);
            expect(expected.length).toBeLessThan(60);
          }
          const asc = await store.listRuns({ filter, orderBy: 'STARTED_AT_ASC', first: 500 });
          expect(ids(asc.runs)).toEqual(expected);
          const desc = await allPages(store, { filter, orderBy: 'STARTED_AT_DESC', first: 4 });
          expect(desc.flatMap((page) => page.ids)).toEqual([...expected].reverse());
          const backward = await allPages(store, { filter, orderBy: 'STARTED_AT_ASC', last: 3 });
          expect(backward.reverse().flatMap((page) => page.ids)).toEqual(expected);
          expect(await store.countRuns(filter)).toBe(expected.length);
        });
      }

      it('finds a run under the agent whose attempt failed before the fallback took over', async () => {
        await store.write({
          runs: [runRecord('fallback-run', { startedAt: T0 + 77_000 })],
          steps: [
            stepRecord('fallback-run', 1, {
              agent: 'reserve',
              attempts: 2,
              attemptLog: [
                attempt('primary-only', { error: { kind: 'CIRCUIT_OPEN', message: 'open' } }),
                attempt('reserve', { attempt: 2, fallback: true }),
              ],
            }),
          ],
          events: [],
        });
        for (const agent of ['primary-only', 'reserve']) {
          const page = await store.listRuns({ filter: { agent }, orderBy: 'STARTED_AT_DESC', first: 10 });
          expect(ids(page.runs)).toEqual(['fallback-run']);
          expect(await store.countRuns({ agent })).toBe(1);
        }
      });

      it('counts totals with the same filter semantics', async () => {
        expect(await store.countRuns({})).toBe(60);
        expect(await store.countRuns({ status: ['RUNNING'] })).toBe(
          expectedRuns(history, { status: ['RUNNING'] }).length,
        );
        expect(await store.countRuns({ workflowId: 'nope' })).toBe(0);
      });
    });

    describe('ownership and recovery', () => {
      it('lists only the RUNNING runs this instance owns', async () => {
        await store.write({
          runs: [
            runRecord('mine-running', { startedAt: T0 + 2 }),
            runRecord('mine-running-early', { startedAt: T0 + 1 }),
            finished(runRecord('mine-done'), 'COMPLETED', T0 + 5),
            finished(runRecord('mine-interrupted'), 'INTERRUPTED', T0 + 5),
          ],
          steps: [],
          events: [],
        });
        if (database.shared) {
          const other = await database.open('instance-b');
          await other.write({ runs: [runRecord('theirs-running')], steps: [], events: [] });
          expect(ids(await other.listRunningRuns())).toEqual(['theirs-running']);
        }
        const running = await store.listRunningRuns();
        expect(ids(running)).toEqual(['mine-running-early', 'mine-running']);
        expect(running[0]).toEqual(runRecord('mine-running-early', { startedAt: T0 + 1 }));
      });
    });

    describe('prune', () => {
      async function seedFinished() {
        await store.write({
          runs: [
            finished(runRecord('old-1', { startedAt: T0 }), 'COMPLETED', T0 + 100),
            finished(runRecord('old-2', { startedAt: T0 + 1 }), 'FAILED', T0 + 200),
            finished(runRecord('new-1', { startedAt: T0 + 2 }), 'COMPLETED', T0 + 300),
            finished(runRecord('new-2', { startedAt: T0 + 3 }), 'CANCELLED', T0 + 400),
            // Started long ago and still running: never pruned, whatever the policy.
            runRecord('ancient-running', { startedAt: T0 - 1_000_000 }),
          ],
          steps: [
            stepRecord('old-1', 1, { agent: 'pruned-agent' }),
            stepRecord('ancient-running', 1, { agent: 'kept-agent' }),
          ],
          events: [eventRecord('old-1', 1), eventRecord('old-1', 2), eventRecord('ancient-running', 1)],
        });
      }

      const remaining = async () =>
        ids((await store.listRuns({ filter: {}, orderBy: 'STARTED_AT_ASC', first: 500 })).runs);

      it('deletes runs finished before an instant, with their steps, events and agents', async () => {
        await seedFinished();
        expect(await store.prune({ finishedBefore: T0 + 300 })).toBe(2);
        expect(await remaining()).toEqual(['ancient-running', 'new-1', 'new-2']);
        expect(await store.getRuns(['old-1'])).toEqual([null]);
        expect(await store.getStepRuns(['old-1'])).toEqual([[]]);
        expect(await store.getEvents('old-1', 0)).toEqual([]);
        expect(await store.getLastSeq('old-1')).toBe(0);
        expect(await store.countRuns({ agent: 'pruned-agent' })).toBe(0);
        expect(await store.countRuns({ agent: 'kept-agent' })).toBe(1);
        expect(await store.getEvents('ancient-running', 0)).toEqual([eventRecord('ancient-running', 1)]);
        expect(await store.prune({ finishedBefore: T0 + 300 })).toBe(0);
      });

      it('keeps only the most recently finished runs', async () => {
        await seedFinished();
        expect(await store.prune({ maxFinishedRuns: 3 })).toBe(1);
        expect(await remaining()).toEqual(['ancient-running', 'old-2', 'new-1', 'new-2']);
        expect(await store.prune({ maxFinishedRuns: 0 })).toBe(3);
        expect(await remaining()).toEqual(['ancient-running']);
        expect(await store.prune({ maxFinishedRuns: 0, finishedBefore: T0 + 10_000 })).toBe(0);
      });

      it('applies both limits together and never touches a RUNNING run', async () => {
        await seedFinished();
        expect(await store.prune({ finishedBefore: T0 + 150, maxFinishedRuns: 2 })).toBe(2);
        expect(await remaining()).toEqual(['ancient-running', 'new-1', 'new-2']);
        await expect(store.prune({ maxFinishedRuns: -1 })).rejects.toThrow(/maxFinishedRuns/);
        await expect(store.prune({ finishedBefore: Number.NaN })).rejects.toThrow(/finishedBefore/);
      });

      it('counts a finished run without finishedAt as the oldest', async () => {
        await seedFinished();
        const interrupted = (id: string) => ({
          ...runRecord(id, { startedAt: T0 + 9 }),
          status: 'INTERRUPTED' as const,
        });
        await store.write({ runs: [interrupted('nf-a'), interrupted('nf-b')], steps: [], events: [] });
        // Newest first: new-2, new-1, old-2, old-1, then nf-b, nf-a (no finish time, by id).
        expect(await store.prune({ maxFinishedRuns: 5 })).toBe(1);
        expect(await remaining()).toEqual(['ancient-running', 'old-1', 'old-2', 'new-1', 'new-2', 'nf-b']);
        // finishedBefore never selects a run whose finish time is unknown.
        expect(await store.prune({ finishedBefore: T0 + 10_000 })).toBe(4);
        expect(await remaining()).toEqual(['ancient-running', 'nf-b']);
        expect(await store.prune({ maxFinishedRuns: 0 })).toBe(1);
        expect(await remaining()).toEqual(['ancient-running']);
      });

      it('prunes thousands of runs in slices', async () => {
        const runs = Array.from({ length: 2_345 }, (_, i) =>
          finished(
            runRecord(`bulk-${String(i).padStart(5, '0')}`, { startedAt: T0 + i }),
            'COMPLETED',
            T0 + 10_000 + i,
          ),
        );
        await store.write({
          runs: [...runs, runRecord('still-running')],
          steps: runs.map((run) => stepRecord(run.id, 1)),
          events: runs.map((run) => eventRecord(run.id, 1)),
        });
        expect(await store.prune({ maxFinishedRuns: 100 })).toBe(2_245);
        expect(await store.countRuns({})).toBe(101);
        expect(await store.countRuns({ agent: 'zumbi' })).toBe(100);
        const oldestKept = await store.listRuns({
          filter: { status: ['COMPLETED'] },
          orderBy: 'STARTED_AT_ASC',
          first: 1,
        });
        expect(ids(oldestKept.runs)).toEqual(['bulk-02245']);
        expect(await store.prune({ finishedBefore: T0 + 10_000 + 2_300 })).toBe(55);
        expect(await store.countRuns({})).toBe(46);
      });
    });

    describe.runIf(kind.name === 'SQLite file' || kind.name === 'PostgreSQL')('durability', () => {
      it('has everything after the store is closed and the database reopened', async () => {
        const history = buildHistory(20);
        await seed(history);
        await store.write({
          runs: [],
          steps: [],
          events: [eventRecord(history.runs[0]?.id as string, 1)],
          statistics: { saved: true },
        });
        const saved = await store.saveWorkflow(workflowDefinition('wf-durable'), 'h', T0);
        const before = await store.listRuns({
          filter: { agent: 'bira' },
          orderBy: 'STARTED_AT_DESC',
          first: 500,
        });
        await store.close();

        const reopened = await database.open('instance-a');
        expect(await reopened.getRuns(ids(history.runs))).toEqual(history.runs);
        expect(
          await reopened.listRuns({ filter: { agent: 'bira' }, orderBy: 'STARTED_AT_DESC', first: 500 }),
        ).toEqual(before);
        expect((await reopened.getStepRuns([history.runs[0]?.id as string]))[0]).toEqual(
          history.steps.filter((step) => step.runId === history.runs[0]?.id),
        );
        expect(await reopened.getLastSeq(history.runs[0]?.id as string)).toBe(1);
        expect(await reopened.getWorkflow('wf-durable')).toEqual(saved.record);
        expect(await reopened.loadStatistics()).toEqual({ saved: true });
        expect(ids(await reopened.listRunningRuns())).toEqual(
          ids(history.runs.filter((run) => run.status === 'RUNNING').sort(byKey)),
        );
        // A reopened store keeps writing where the first left off.
        await reopened.write({
          runs: [],
          steps: [stepRecord(history.runs[0]?.id as string, 9, { agent: 'late-agent' })],
          events: [],
        });
        expect(await reopened.countRuns({ agent: 'late-agent' })).toBe(1);
      });

      it('writes a run again after another instance pruned it', async () => {
        const other = await database.open('instance-b');
        const run = finished(runRecord('comeback', { input: { first: 1 } }), 'COMPLETED', T0 + 5);
        await store.write({
          runs: [run],
          steps: [stepRecord('comeback', 1)],
          events: [eventRecord('comeback', 1)],
        });
        expect(await other.prune({ maxFinishedRuns: 0 })).toBe(1);
        const again = { ...run, status: 'FAILED' as const };
        await store.write({
          runs: [again],
          steps: [stepRecord('comeback', 1, { agent: 'later' })],
          events: [eventRecord('comeback', 1)],
        });
        expect(await store.getRuns(['comeback'])).toEqual([again]);
        expect(await store.countRuns({ agent: 'later' })).toBe(1);
        expect(await store.countRuns({ agent: 'zumbi' })).toBe(0);
        expect(await store.getLastSeq('comeback')).toBe(1);
      });

      it('keeps statistics per instance', async () => {
        const other = await database.open('instance-b');
        await store.write({ runs: [], steps: [], events: [], statistics: { who: 'a' } });
        await other.write({ runs: [], steps: [], events: [], statistics: { who: 'b' } });
        expect(await store.loadStatistics()).toEqual({ who: 'a' });
        expect(await other.loadStatistics()).toEqual({ who: 'b' });
      });
    });
  });
}

runStoreContract(memoryKind);
runStoreContract(sqliteMemoryKind);
runStoreContract(sqliteFileKind);

describe.skipIf(POSTGRES_URL === undefined)('with PostgreSQL (ORQUESTRA_TEST_POSTGRES_URL)', () => {
  beforeAll(() => {
    postgresAdmin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  });
  afterAll(async () => {
    await postgresAdmin?.end();
    postgresAdmin = null;
  });
  runStoreContract(postgresKind);
});
