/**
 * The statistics snapshot a persistent store keeps: what comes back from it equals what went in, for
 * the current form and for the version 1 form that databases written by earlier releases hold.
 */

import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/engine/json.ts';
import { RunStatistics } from '../../src/engine/statistics.ts';

function sample(): RunStatistics {
  const statistics = new RunStatistics();
  statistics.runStarted(1_000);
  statistics.runStarted(1_000);
  statistics.runFinished('SEQUENTIAL', 'COMPLETED', 12);
  statistics.runFinished('SEQUENTIAL', 'FAILED', 4_000);
  for (const [ms, ok] of [
    [0.0004, true],
    [0.3, true],
    [0.31, true],
    [45, false],
    [1_200, true],
  ] as const) {
    statistics.agentCall('zumbi', ms, ok, 2_000);
  }
  statistics.stepFinished('COMPLETED');
  return statistics;
}

describe('statistics snapshot', () => {
  it('restores every counter and percentile it was taken from, through JSON', () => {
    const original = sample();
    const restored = RunStatistics.restore(JSON.parse(JSON.stringify(original.snapshot())));
    expect(restored.view()).toEqual(original.view());
    expect(restored.agentStatistics('zumbi').latency.p50Ms).toBeCloseTo(0.31, 1);
  });

  it('writes histogram counts as a dense list from the lowest used bucket', () => {
    const snapshot = sample().snapshot() as {
      agents: { zumbi: { latency: { low: number; counts: number[] } } };
    };
    const { low, counts } = snapshot.agents.zumbi.latency;
    expect(low).toBe(0);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(5);
    expect(counts.at(-1)).toBe(1);
  });

  it('restores a version 1 snapshot, whose histograms are [index, count] pairs', () => {
    const original = sample();
    const current = original.snapshot() as Record<string, JsonValue>;
    const toPairs = (histogram: { low: number; counts: number[] }) => {
      const { low, counts, ...rest } = histogram;
      const buckets = counts.flatMap((count, i) => (count ? [[low + i, count]] : []));
      return { ...rest, buckets };
    };
    const agents = current.agents as Record<string, Record<string, JsonValue>>;
    const versionOne = {
      ...current,
      version: 1,
      duration: toPairs(current.duration as never),
      agents: Object.fromEntries(
        Object.entries(agents).map(([name, a]) => [name, { ...a, latency: toPairs(a.latency as never) }]),
      ),
    };
    const restored = RunStatistics.restore(versionOne as unknown as JsonValue);
    expect(restored.view()).toEqual(original.view());
  });

  it('starts from zero on a snapshot of an unknown version', () => {
    const snapshot = { ...(sample().snapshot() as Record<string, JsonValue>), version: 3 };
    expect(RunStatistics.restore(snapshot).view().runs.total).toBe(0);
  });
});
