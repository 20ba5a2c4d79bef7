/**
 * memory: RSS and heap of the gateway process at rest, after 100,000 completed runs, and after a
 * period of steady load; bounded means no growth that scales with completed runs.
 *
 * Per store (`sqlite:` in a temporary directory, the gateway's default, and `memory:`, which keeps the
 * last 10,000 finished runs by default), a child process started with --expose-gc runs the gateway
 * over an Orchestrator with a no-op agent. Every figure is taken after forced full GCs.
 *
 * 1. At rest: engine and gateway started, nothing run yet (the floor).
 * 2. 100,000 runs (30,000 with --short) of the 3-step sequential workflow through the engine API, 100
 *    at a time, sampled every 10,000; the growth per 10,000 runs is the least-squares slope over the
 *    second half.
 * 3. Steady load: `executeWorkflow(wait: true)` over HTTP at 200 req/s (autocannon, in this process)
 *    with one graphql-ws client subscribed to `runUpdates` throughout: a minute of warm-up, a sample
 *    at rest, then `--steady <minutes>` (default 10; 5 s with --short, without warm-up, not judged),
 *    sampled along the way (every 10 s in 10 minutes; on the memory store each sample waits for the
 *    store's next trim, as in 2), and once more at rest after it. The growth is judged between the
 *    two samples at rest, before and after the judged load (one under load also holds the requests
 *    and garbage of that instant, MiBs at random); the lower envelope of the samples under load (the
 *    lowest of each fifth of the second half) is given beside it.
 */

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchOptions, BenchResult } from './bench-result.ts';
import { forkChild } from './lib/child.ts';
import type { MemorySample } from './lib/memory-child.ts';
import type { StoreKind } from './lib/setup.ts';
import { MiB, round, slope } from './lib/stats.ts';

const RUNS = 100_000;
/** With --short: enough to pass the memory store's 10,000 kept runs several times over. */
const SHORT_RUNS = 30_000;
const SAMPLE_EVERY = 10_000;
const STEADY_RATE = 200;
/** Bounded: the heap grows by less than this per 10,000 runs (~10 bytes a run) once the stores are warm. */
const BOUND_MIB_PER_10K = 0.1;
/** A steady phase shorter than this is too short to judge growth over (the memory store's trims alone move the heap by MiBs). */
const JUDGED_STEADY_SECONDS = 120;
/**
 * The HTTP load before the judged steady phase: its first minutes leave a few MiB for good (code
 * compiled for the HTTP path, connection and cache state; 3.4 MiB on SQLite after 3 minutes), which
 * are not growth with completed runs, so the phase is judged from a sample taken after this warm-up.
 */
const WARMUP_SECONDS = 60;

const EXECUTE = JSON.stringify({
  query:
    'mutation { executeWorkflow(input: { workflowId: "seq3", wait: true }) { ... on ExecuteWorkflowSuccess { run { runId status } } } }',
});

interface StoreResult {
  store: StoreKind;
  rest: MemorySample;
  runs: MemorySample[];
  /** At rest after a warm-up of the HTTP load: what the steady phase is judged against. */
  warm: MemorySample;
  warmupSeconds: number;
  /** Samples taken under load. */
  steady: MemorySample[];
  /** The sample taken once the load had stopped and its connections had closed. */
  after: MemorySample;
  steadySeconds: number;
  steadyFailures: number;
}

export async function measureStore(
  store: StoreKind,
  runCount: number,
  steadySeconds: number,
): Promise<StoreResult> {
  const child = await forkChild(join(import.meta.dirname, 'lib', 'memory-child.ts'), ['--expose-gc']);
  try {
    const { url, wsUrl } = await child.request<{ url: string; wsUrl: string }>('start', store);
    const rest = await child.request<MemorySample>('sample');
    const runs = await child.request<MemorySample[]>('runs', {
      count: runCount,
      concurrency: 100,
      sampleEvery: SAMPLE_EVERY,
      alignTrims: store === 'memory',
    });

    // At rest, after full GCs; on the memory store just after a trim, like the samples of 2.
    const atRest = (httpRuns: number): Promise<MemorySample> =>
      store === 'memory'
        ? child
            .request<MemorySample[]>('runs', {
              count: 10,
              concurrency: 10,
              sampleEvery: 10,
              alignTrims: true,
            })
            .then(([s]) => ({ ...s!, runs: s!.runs + httpRuns }))
        : child.request<MemorySample>('sample', { runs: httpRuns });

    // Steady load over HTTP, with a live subscriber: first a warm-up, then the judged phase.
    const subscriber = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    let updates = 0;
    const unsubscribe = subscriber.subscribe(
      { query: 'subscription { runUpdates { runId status at } }' },
      {
        next: () => void updates++,
        error: (e) => console.error('memory: subscriber failed', e),
        complete() {},
      },
    );
    let completed = 0;
    const httpLoad = (seconds: number) => {
      const load = autocannon({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: EXECUTE,
        connections: 10,
        overallRate: STEADY_RATE,
        duration: seconds,
      });
      load.on('response', (_c, status) => {
        if (status === 200) completed++;
      });
      return load;
    };
    const warmupSeconds = steadySeconds >= JUDGED_STEADY_SECONDS ? WARMUP_SECONDS : 0;
    if (warmupSeconds > 0) await httpLoad(warmupSeconds);
    const warm = await atRest(completed);
    const load = httpLoad(steadySeconds);
    const steady: MemorySample[] = [];
    const interval = Math.max(2, steadySeconds / 60) * 1000;
    const start = performance.now();
    const sampler = (async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        if (performance.now() - start > steadySeconds * 1000 - interval / 2) return;
        steady.push(
          await child.request<MemorySample>('sample', {
            runs: completed,
            afterTrim: store === 'memory' && steadySeconds >= JUDGED_STEADY_SECONDS,
          }),
        );
      }
    })();
    const result = await load;
    await sampler;
    unsubscribe();
    await subscriber.dispose();
    const after = await atRest(completed);
    if (updates === 0) throw new Error('memory: the runUpdates subscriber received nothing');
    return {
      store,
      rest,
      runs,
      warm,
      warmupSeconds,
      steady,
      after,
      steadySeconds,
      steadyFailures: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    await child.close();
  }
}

/**
 * The lowest sample of each of `parts` equal slices: under load a sample also holds whatever garbage
 * or requests are in flight at that instant (MiBs, at random); the retained memory is the floor below.
 */
function lowerEnvelope(samples: MemorySample[], parts: number): MemorySample[] {
  const mins: MemorySample[] = [];
  for (let i = 0; i < parts; i++) {
    const slice = samples.slice(
      Math.round((i * samples.length) / parts),
      Math.round(((i + 1) * samples.length) / parts),
    );
    if (slice.length) mins.push(slice.reduce((a, b) => (b.heapUsed < a.heapUsed ? b : a)));
  }
  return mins;
}

export default async function memoryBench(options: BenchOptions): Promise<BenchResult[]> {
  const steadySeconds =
    options.steadyMinutes !== undefined ? options.steadyMinutes * 60 : options.short ? 5 : 600;
  const runCount = options.short ? SHORT_RUNS : RUNS;
  const runsLabel = runCount.toLocaleString('en-US');
  const results: BenchResult[] = [];
  for (const store of ['sqlite', 'memory'] as const) {
    const r = await measureStore(store, runCount, steadySeconds);
    const label = store === 'sqlite' ? 'sqlite' : 'memory: (keeps 10,000 finished runs)';
    const last = r.runs[r.runs.length - 1]!;
    const late = r.runs.filter((s) => s.runs >= runCount / 2);
    const perTenK = (key: 'heapUsed' | 'rss', samples: MemorySample[]) =>
      slope(samples.map((s) => ({ x: s.runs, y: s[key] }))) * SAMPLE_EVERY;
    const heapGrowth = perTenK('heapUsed', late) / MiB;
    const rssGrowth = perTenK('rss', late) / MiB;
    const steadyEnd = r.after;
    const steadyLate = r.steady.slice(Math.floor(r.steady.length / 2));
    const envelope = lowerEnvelope(steadyLate, 5);
    const steadyRuns = steadyEnd.runs - r.warm.runs;
    const steadyHeapGrowth = (steadyEnd.heapUsed - r.warm.heapUsed) / MiB / (steadyRuns / SAMPLE_EVERY);
    const steadyLabel =
      steadySeconds >= 60 ? `${round(steadySeconds / 60)} min` : `${steadySeconds} s (scaled down, --short)`;
    const mib = (n: number) => round(n / MiB);
    const row = (metric: string, value: number, extra: Partial<BenchResult> = {}): BenchResult => ({
      bench: 'memory',
      case: label,
      metric,
      value,
      unit: 'MiB',
      ...extra,
    });
    results.push(
      row('RSS at rest', mib(r.rest.rss)),
      row('heap at rest', mib(r.rest.heapUsed)),
      row(`RSS after ${runsLabel} runs`, mib(last.rss), {
        floor: mib(r.rest.rss),
        ratio: round(last.rss / r.rest.rss),
      }),
      row(`heap after ${runsLabel} runs`, mib(last.heapUsed), {
        floor: mib(r.rest.heapUsed),
        ratio: round(last.heapUsed / r.rest.heapUsed),
        notes: `heap used after 10k…${runCount / 1000}k runs: ${r.runs.map((s) => mib(s.heapUsed)).join(', ')} MiB; RSS: ${r.runs.map((s) => Math.round(s.rss / MiB)).join(', ')} MiB${store === 'memory' ? `; each sample taken just after the store trimmed itself to ${r.runs.map((s) => s.storedRuns)[0]?.toLocaleString('en-US')} runs` : ''}`,
      }),
      row(`heap growth per 10,000 runs (${runCount / 2000}k → ${runCount / 1000}k)`, round(heapGrowth), {
        target: `bounded (≤ ${BOUND_MIB_PER_10K} MiB per 10k runs)`,
        met: heapGrowth <= BOUND_MIB_PER_10K,
        notes: `RSS ${round(rssGrowth)} MiB per 10k runs`,
      }),
      row(`RSS after steady load, ${steadyLabel}`, mib(steadyEnd.rss), {
        floor: mib(r.rest.rss),
        ratio: round(steadyEnd.rss / r.rest.rss),
        notes: `taken once the load had stopped; under load, RSS peaked at ${mib(Math.max(...r.steady.map((s) => s.rss)))} MiB`,
      }),
      row(`heap after steady load, ${steadyLabel}`, mib(steadyEnd.heapUsed), {
        floor: mib(r.rest.heapUsed),
        ratio: round(steadyEnd.heapUsed / r.rest.heapUsed),
        notes: `${STEADY_RATE} req/s of executeWorkflow(wait) over HTTP (10 connections) + 1 runUpdates subscriber: ${steadyRuns.toLocaleString('en-US')} runs${r.steadyFailures ? `, ${r.steadyFailures} failed requests` : ''}; ${r.steady.length} samples under load, ${mib(Math.min(...r.steady.map((s) => s.heapUsed)))}–${mib(Math.max(...r.steady.map((s) => s.heapUsed)))} MiB; lower envelope of the 2nd half: ${envelope.map((s) => mib(s.heapUsed)).join(', ')} MiB`,
      }),
      row('heap growth per 10,000 runs of steady load (at rest before → after)', round(steadyHeapGrowth), {
        notes: `at rest before: ${mib(r.warm.heapUsed)} MiB, after ${r.warmupSeconds} s of the same load as a warm-up`,
        ...(steadySeconds >= JUDGED_STEADY_SECONDS
          ? {
              target: `bounded (≤ ${BOUND_MIB_PER_10K} MiB per 10k runs)`,
              met: steadyHeapGrowth <= BOUND_MIB_PER_10K,
            }
          : {
              notes: `not judged: ${steadySeconds} s is too short (npm run bench -- --only memory --steady 10)`,
            }),
      }),
    );
  }
  return results;
}
