/**
 * engine: µs of orchestration per step on no-op agents.
 *
 * Cases: a 3-step SEQUENTIAL, a 10-step PARALLEL and a 100-item MAP_REDUCE workflow, one run at a time
 * and 100 at once, on the in-memory store, on SQLite, and on PostgreSQL when it answers
 * (bench/lib/postgres.ts; no target there, fewer runs as each batch waits for a round trip, and
 * the server's CPU is not this process's: read the wall time). The floor is the same agent calls
 * made as plain awaited function calls in the same process; the figure reported is the engine's CPU
 * time per step minus the floor's, i.e. what orchestration adds. CPU time (process.cpuUsage, every
 * thread of the process, garbage collection included) rather than wall time, because on a shared
 * machine wall time also measures everything else running; wall time is reported beside it. Each
 * figure is the median of several rounds after a warm-up.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../src/agents/agent.ts';
import { AgentRegistry } from '../src/agents/registry.ts';
import { Orchestrator, type RunStore } from '../src/engine/index.ts';
import { openRunStore } from '../src/store/open-run-store.ts';
import type { BenchOptions, BenchResult } from './bench-result.ts';
import { dropSchema, postgresAnswers, postgresUrl, withSchema } from './lib/postgres.ts';

export const noopAgent: Agent = {
  name: 'noop',
  description: 'does nothing',
  capabilities: ['noop'],
  actions: [{ name: 'run', description: 'returns null' }],
  async process() {
    return { result: null };
  },
};

export const WORKFLOWS = [
  {
    id: 'seq3',
    name: '3-step sequential',
    pattern: 'SEQUENTIAL',
    steps: [1, 2, 3].map((i) => ({ id: `s${i}`, agent: 'noop', action: 'run' })),
  },
  {
    id: 'par10',
    name: '10-step parallel',
    pattern: 'PARALLEL',
    steps: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, agent: 'noop', action: 'run' })),
  },
  {
    id: 'mr100',
    name: '100-item map-reduce',
    pattern: 'MAP_REDUCE',
    steps: [
      { id: 'map', agent: 'noop', action: 'run', map: { items: 'input.items', concurrency: 100 } },
      { id: 'reduce', agent: 'noop', action: 'run', reduce: true },
    ],
  },
];

/** An engine with the no-op agent and the three workflows, on a store (migrated) or a store URL. */
export async function startBenchEngine(
  storeOrUrl: RunStore | string,
): Promise<{ store: RunStore; engine: Orchestrator }> {
  const store = typeof storeOrUrl === 'string' ? await openRunStore(storeOrUrl) : storeOrUrl;
  const agents = new AgentRegistry();
  agents.register(noopAgent);
  const engine = await Orchestrator.start({
    store,
    agents,
    workflows: WORKFLOWS,
    logger: { info() {}, warn() {}, error: console.error },
  });
  return { store, engine };
}

const TARGET_US_PER_STEP: Record<string, number | undefined> = { memory: 2, sqlite: 15 };

export interface Case {
  workflow: string;
  steps: number;
  /** The floor: the same agent calls, awaited directly. */
  floor: () => Promise<unknown>;
  input: Record<string, unknown>;
}

const signal = new AbortController().signal;
const call = () =>
  noopAgent.process({ action: 'run', payload: {} }, { runId: null, stepId: null, attempt: 1, signal });
const items = Array.from({ length: 100 }, (_, i) => i);

export const CASES: Case[] = [
  {
    workflow: 'seq3',
    steps: 3,
    input: {},
    floor: async () => {
      await call();
      await call();
      await call();
    },
  },
  { workflow: 'par10', steps: 10, input: {}, floor: () => Promise.all(Array.from({ length: 10 }, call)) },
  {
    workflow: 'mr100',
    steps: 101,
    input: { items },
    floor: async () => {
      await Promise.all(items.map(call));
      await call();
    },
  },
];

interface Timing {
  /** CPU time of the process (all threads), µs: what the work costs, whatever else the machine runs. */
  cpuUs: number;
  wallUs: number;
}

async function timeRuns(total: number, concurrency: number, once: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let done = 0; done < total; done += concurrency) {
    const batch = Math.min(concurrency, total - done);
    if (batch === 1) await once();
    else await Promise.all(Array.from({ length: batch }, once));
  }
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, wallUs: Number(process.hrtime.bigint() - started) / 1000 };
}

/** The median of `rounds` measurements (each after the warm-up), per step. */
async function measure(
  rounds: number,
  runs: number,
  steps: number,
  concurrency: number,
  once: () => Promise<unknown>,
): Promise<{ cpu: number; wall: number }> {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = await timeRuns(runs, concurrency, once);
    cpu.push(t.cpuUs / runs / steps);
    wall.push(t.wallUs / runs / steps);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { cpu: median(cpu), wall: median(wall) };
}

export default async function engineBench(options: BenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'orquestra-bench-'));
  const pgUrl = postgresUrl();
  const pgSchema = `orquestra_bench_engine_${process.pid}`;
  const storeUrls = {
    memory: 'memory:',
    sqlite: `sqlite:${join(dir, 'engine.db')}`,
    ...((await postgresAnswers(pgUrl)) ? { postgres: withSchema(pgUrl, pgSchema) } : {}),
  };
  try {
    for (const [storeKind, storeUrl] of Object.entries(storeUrls)) {
      const { store, engine } = await startBenchEngine(storeUrl);
      for (const c of CASES) {
        for (const concurrency of [1, 100]) {
          // Rounds of a few hundred ms at least: CPU time is accounted in ticks of a few ms.
          // PostgreSQL's rounds are long in wall time (round trips), so fewer runs fill them.
          const fewer = storeKind !== 'postgres' ? 1 : concurrency === 1 ? 10 : 3;
          const steps = (options.short ? 20_000 : 150_000) / fewer;
          const runs = Math.max(concurrency, Math.round(steps / c.steps / concurrency) * concurrency);
          const once = () => engine.executeWorkflow(c.workflow, c.input, { wait: true });
          // Warm-up: let the JIT settle on both paths before anything is counted.
          await timeRuns(runs, concurrency, once);
          await timeRuns(runs, concurrency, c.floor);
          const rounds = options.short ? 3 : 5;
          const measured = await measure(rounds, runs, c.steps, concurrency, once);
          const floor = await measure(rounds, runs, c.steps, concurrency, c.floor);
          const overhead = measured.cpu - floor.cpu;
          const target = TARGET_US_PER_STEP[storeKind];
          results.push({
            bench: 'engine',
            case: `${c.workflow} ×${concurrency} ${storeKind}`,
            metric: 'orchestration CPU per step',
            value: round(overhead),
            unit: 'µs/step',
            floor: round(floor.cpu),
            ratio: round(measured.cpu / floor.cpu),
            ...(target === undefined ? {} : { target: `≤ ${target} µs/step`, met: overhead <= target }),
            notes: `median of ${rounds} rounds of ${runs} runs; wall ${round(measured.wall)} µs/step (floor ${round(floor.wall)})${storeKind === 'postgres' ? "; CPU of this process only: the database server's is not counted, wall time is the figure to read" : ''}`,
          });
        }
      }
      await engine.stop();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if ('postgres' in storeUrls) await dropSchema(pgUrl, pgSchema);
  }
  return results;
}

const round = (n: number) => Math.round(n * 100) / 100;
