/**
 * Child process entry of the memory row (run with --expose-gc): the gateway over an engine on one
 * store, runs executed in-process on request, and memory sampled after forced full GCs.
 */

import { serve } from './child.ts';
import { type BenchEngine, type StoreKind, startBenchEngine } from './setup.ts';

export interface MemorySample {
  /** Runs completed so far in this process. */
  runs: number;
  /** ms since the child started its engine. */
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Runs the store holds (the memory store keeps between 10,000 and ~11,000 finished ones). */
  storedRuns: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/lib/memory-child.ts needs node --expose-gc');

let bench: BenchEngine | null = null;
let started = 0;
let completed = 0;

/**
 * `runs`: runs completed outside `runs()` (over HTTP) to add to the count. `afterTrim`: under load on
 * a store that trims itself in steps, first wait (up to 15 s) for its next trim, so that samples
 * compare the same number of stored runs rather than points of the saw-tooth.
 */
async function sample(args?: { runs?: number; afterTrim?: boolean }): Promise<MemorySample> {
  if (args?.afterTrim) {
    // A trim happens in a store write, and a run's end is published after the write that holds it:
    // each ended run is the moment to look again.
    const engine = bench!.engine;
    const ended = engine.runUpdates({ status: ['COMPLETED', 'FAILED'] });
    const giveUp = setTimeout(() => ended.end(), 15_000);
    let stored = await engine.countRuns({});
    for await (const _update of ended) {
      const now = await engine.countRuns({});
      if (now < stored) break;
      stored = now;
    }
    clearTimeout(giveUp);
  }
  // Two full collections with a turn of the loop in between, so that finalizers and weak callbacks run.
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  const storedRuns = await bench!.engine.countRuns({});
  return {
    runs: completed + (args?.runs ?? 0),
    at: Date.now() - started,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    storedRuns,
  };
}

serve(
  {
    start: async (kind: StoreKind) => {
      bench = await startBenchEngine(kind, { gateway: true });
      started = Date.now();
      return { url: bench.gateway!.url, wsUrl: bench.gateway!.wsUrl };
    },
    sample,
    /**
     * `count` runs of seq3, `concurrency` at a time, and a sample after every `sampleEvery`. With
     * `alignTrims` (for a store that trims itself in steps, like the memory store), each sample waits
     * for the next trim, running 10 more runs at a time: samples then compare like with like (the same
     * number of stored runs) instead of catching the saw-tooth of the trims at different heights.
     */
    runs: async ({
      count,
      concurrency,
      sampleEvery,
      alignTrims,
    }: {
      count: number;
      concurrency: number;
      sampleEvery: number;
      alignTrims?: boolean;
    }) => {
      const engine = bench!.engine;
      const run = async (n: number) => {
        await Promise.all(
          Array.from({ length: n }, () => engine.executeWorkflow('seq3', {}, { wait: true })),
        );
        completed += n;
      };
      const samples: MemorySample[] = [];
      for (let done = 0; done < count; ) {
        const batch = Math.min(concurrency, count - done);
        await run(batch);
        done += batch;
        if (done % sampleEvery === 0 || done === count) {
          if (alignTrims) {
            for (let stored = await engine.countRuns({}), i = 0; i < 500; i++) {
              await run(10);
              const now = await engine.countRuns({});
              if (now < stored) break;
              stored = now;
            }
          }
          samples.push(await sample());
        }
      }
      return samples;
    },
  },
  async () => {
    await bench?.stop();
  },
);
