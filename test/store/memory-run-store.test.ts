/**
 * The bounds of the in-memory store, which keeps a long-lived process from growing without limit:
 * at most so many finished runs, and at most so many steps and events of finished runs, the oldest
 * dropped first and running runs never.
 */

import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/engine/run.ts';
import type { StoreBatch } from '../../src/engine/store.ts';
import { MemoryRunStore } from '../../src/store/memory-run-store.ts';
import { eventRecord, finished, runRecord, stepRecord, T0 } from './run-fixtures.ts';

/**
 * A run of `steps` steps with two events each: written started and then finished, or, as the engine
 * writes a run that ends within one turn of the event loop, all at once.
 */
async function writeRun(
  store: MemoryRunStore,
  id: string,
  startedAt: number,
  steps: number,
  oneBatch = false,
): Promise<void> {
  const run = runRecord(id, { startedAt });
  const ended = finished(run, 'COMPLETED', startedAt + 10);
  const batch: StoreBatch = {
    runs: [oneBatch ? ended : run],
    steps: Array.from({ length: steps }, (_, i) => stepRecord(id, i + 1)),
    events: Array.from({ length: 2 * steps }, (_, i) => eventRecord(id, i + 1)),
  };
  await store.write(batch);
  if (!oneBatch) await store.write({ runs: [ended], steps: [], events: [] });
}

async function kept(store: MemoryRunStore, ids: string[]): Promise<string[]> {
  const records = await store.getRuns(ids);
  return records.filter((record): record is RunRecord => record !== null).map((record) => record.id);
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `run-${String(i).padStart(4, '0')}`);

describe('MemoryRunStore bounds', () => {
  it('keeps at most maxFinishedRuns finished runs, dropping the earliest started in batches', async () => {
    const store = new MemoryRunStore({ maxFinishedRuns: 200, maxEntries: null });
    const all = ids(400);
    for (const [i, id] of all.entries()) await writeRun(store, id, T0 + i, 1);
    const left = await kept(store, all);
    // Dropping waits for max(100, a tenth) of excess, then goes back down to the bound.
    expect(left.length).toBeGreaterThanOrEqual(200);
    expect(left.length).toBeLessThanOrEqual(300);
    expect(left).toEqual(all.slice(all.length - left.length));
  });

  it('keeps fewer runs when they are large: at most maxEntries steps and events of finished runs', async () => {
    const store = new MemoryRunStore({ maxFinishedRuns: 10_000, maxEntries: 3_000 });
    const all = ids(100);
    // 100 steps and 200 events each: 300 entries, so 10 runs fill the bound.
    for (const [i, id] of all.entries()) await writeRun(store, id, T0 + i, 100, i % 2 === 0);
    const left = await kept(store, all);
    expect(left.length).toBeGreaterThanOrEqual(10);
    expect(left.length).toBeLessThanOrEqual(11);
    expect(left).toEqual(all.slice(all.length - left.length));
    const newest = all.at(-1) as string;
    expect(await store.getEvents(newest, 0)).toHaveLength(200);
    expect((await store.getStepRuns([newest]))[0]).toHaveLength(100);
  });

  it('never drops a running run, however large', async () => {
    const store = new MemoryRunStore({ maxFinishedRuns: 10_000, maxEntries: 100 });
    const running = runRecord('running', { startedAt: T0 - 1 });
    await store.write({
      runs: [running],
      steps: [stepRecord('running', 1, { status: 'RUNNING' })],
      events: Array.from({ length: 500 }, (_, i) => eventRecord('running', i + 1)),
    });
    const all = ids(30);
    for (const [i, id] of all.entries()) await writeRun(store, id, T0 + i, 10);
    expect(await kept(store, ['running'])).toEqual(['running']);
    expect(await store.getEvents('running', 0)).toHaveLength(500);
    expect((await kept(store, all)).length).toBeLessThanOrEqual(4);
  });

  it('counts what prune removes, so that the entry bound stays exact afterwards', async () => {
    const store = new MemoryRunStore({ maxFinishedRuns: null, maxEntries: 300 });
    const first = ids(10);
    for (const [i, id] of first.entries()) await writeRun(store, id, T0 + i, 10);
    expect(await store.prune({ maxFinishedRuns: 0 })).toBe(10);
    // 30 entries a run: ten more fit, had prune not forgotten the first ten's.
    const second = ids(22).slice(10);
    for (const [i, id] of second.slice(0, 10).entries()) await writeRun(store, id, T0 + 100 + i, 10);
    expect(await kept(store, second)).toEqual(second.slice(0, 10));
    // Two more are 360 entries, past a tenth over the bound: back down to 300, the oldest two gone.
    for (const [i, id] of second.slice(10).entries()) await writeRun(store, id, T0 + 110 + i, 10);
    expect(await kept(store, second)).toEqual(second.slice(2));
  });
});
