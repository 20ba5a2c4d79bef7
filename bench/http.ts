/**
 * http: `executeWorkflow(wait: true)` of a 3-step no-op workflow over HTTP, 50 connections.
 *
 * The gateway (`startGateway` over an Orchestrator with a no-op agent, on `memory:` and on SQLite in a
 * temporary directory) and the floor (a bare `createYoga` on `node:http` answering a mutation that
 * returns a constant) each run in a child process of their own on an ephemeral port; autocannon runs
 * in this process, so that the load generator does not take the server's event loop. Each case gets a
 * warm-up, then a fixed duration; the full bench repeats the three cases 3 times, interleaved, and
 * reports the median with the spread. Ratio: gateway req/s ÷ floor req/s (target ≥ 50 %); for the
 * latencies, gateway ÷ floor.
 *
 * `ORQUESTRA_BENCH_SAME_PROCESS=1` runs the servers in this process instead, to see what sharing the
 * event loop with autocannon costs.
 */

import type { BenchOptions, BenchResult } from './bench-result.ts';
import { type LoadResult, load, post } from './lib/load.ts';
import { openServer } from './lib/server-handle.ts';
import type { ServerKind, Usage } from './lib/servers.ts';
import { median, round, spread } from './lib/stats.ts';

const CONNECTIONS = 50;
const TARGET_RATIO = 0.5;

const EXECUTE = JSON.stringify({
  query:
    'mutation { executeWorkflow(input: { workflowId: "seq3", wait: true }) { __typename ... on ExecuteWorkflowSuccess { run { runId status } } } }',
});
const PING = JSON.stringify({ query: 'mutation { ping }' });

interface Case {
  kind: ServerKind;
  label: string;
  body: string;
  /** A correct answer, checked once before loading. */
  check: (answer: unknown) => boolean;
}

const FLOOR: Case = {
  kind: 'floor',
  label: 'bare yoga, mutation { ping }',
  body: PING,
  check: (a) => (a as { data?: { ping?: string } }).data?.ping === 'pong',
};
const GATEWAY = (kind: 'gateway-memory' | 'gateway-sqlite'): Case => ({
  kind,
  label:
    kind === 'gateway-memory' ? 'executeWorkflow seq3 wait, memory:' : 'executeWorkflow seq3 wait, sqlite',
  body: EXECUTE,
  check: (a) =>
    (a as { data?: { executeWorkflow?: { run?: { status?: string } } } }).data?.executeWorkflow?.run
      ?.status === 'COMPLETED',
});

interface Measured extends LoadResult {
  server: Usage;
  where: string;
}

async function measure(c: Case, warmupSeconds: number, seconds: number): Promise<Measured> {
  const server = await openServer(c.kind);
  try {
    const answer = await post(server.url, c.body);
    if (!c.check(answer)) throw new Error(`${c.kind} answered ${JSON.stringify(answer)}`);
    await load({ url: server.url, body: c.body, connections: CONNECTIONS, seconds: warmupSeconds });
    await server.usageStart();
    const result = await load({ url: server.url, body: c.body, connections: CONNECTIONS, seconds });
    return { ...result, server: await server.usageEnd(), where: server.where };
  } finally {
    await server.close();
  }
}

export default async function httpBench(options: BenchOptions): Promise<BenchResult[]> {
  const repeats = options.short ? 1 : 3;
  const warmup = options.short ? 1 : 3;
  const seconds = options.short ? 4 : 15;
  const cases = [FLOOR, GATEWAY('gateway-memory'), GATEWAY('gateway-sqlite')];
  const runs = new Map<ServerKind, Measured[]>(cases.map((c) => [c.kind, []]));
  for (let i = 0; i < repeats; i++) {
    for (const c of cases) runs.get(c.kind)!.push(await measure(c, warmup, seconds));
  }

  const floorRuns = runs.get('floor')!;
  const floor = summary(floorRuns);
  const results: BenchResult[] = [];
  const note = (m: Measured[]) => {
    const s = summary(m);
    return [
      `${m.length}× ${seconds} s after ${warmup} s warm-up${m.length > 1 ? `, median (req/s ${spread(m.map((r) => r.requestsPerSecond))})` : ''}`,
      `server in a ${m[0]!.where}: CPU ${Math.round(s.serverCpu)} %, ELU ${s.elu.toFixed(2)}`,
      `autocannon CPU ${Math.round(s.generatorCpu)} %`,
      s.failures ? `${s.failures} failed requests` : '',
    ]
      .filter(Boolean)
      .join('; ');
  };
  results.push({
    bench: 'http',
    case: `floor: ${FLOOR.label}`,
    metric: 'throughput',
    value: Math.round(floor.rps),
    unit: 'req/s',
    notes: note(floorRuns),
  });
  for (const [metric, pick] of [
    ['latency p50', (s: Summary) => s.p50],
    ['latency p99', (s: Summary) => s.p99],
  ] as const) {
    results.push({
      bench: 'http',
      case: `floor: ${FLOOR.label}`,
      metric,
      value: round(pick(floor)),
      unit: 'ms',
    });
  }
  for (const c of cases.slice(1)) {
    const m = runs.get(c.kind)!;
    const s = summary(m);
    results.push({
      bench: 'http',
      case: c.label,
      metric: 'throughput',
      value: Math.round(s.rps),
      unit: 'req/s',
      floor: Math.round(floor.rps),
      ratio: round(s.rps / floor.rps),
      target: `≥ ${TARGET_RATIO * 100} % of the floor`,
      met: s.rps / floor.rps >= TARGET_RATIO,
      notes: note(m),
    });
    results.push({
      bench: 'http',
      case: c.label,
      metric: 'requests per server CPU-second',
      value: Math.round(s.perCpu),
      unit: 'req',
      floor: Math.round(floor.perCpu),
      ratio: round(s.perCpu / floor.perCpu),
    });
    results.push({
      bench: 'http',
      case: c.label,
      metric: 'latency p50',
      value: round(s.p50),
      unit: 'ms',
      floor: round(floor.p50),
      ratio: round(s.p50 / floor.p50),
    });
    results.push({
      bench: 'http',
      case: c.label,
      metric: 'latency p99',
      value: round(s.p99),
      unit: 'ms',
      floor: round(floor.p99),
      ratio: round(s.p99 / floor.p99),
    });
  }
  return results;
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  serverCpu: number;
  elu: number;
  generatorCpu: number;
  /** Requests per second of CPU time the server process used: less sensitive to a busy machine. */
  perCpu: number;
  failures: number;
}

/** Medians over the repetitions (throughput and each latency percentile taken separately). */
function summary(m: Measured[]): Summary {
  return {
    rps: median(m.map((r) => r.requestsPerSecond)),
    p50: median(m.map((r) => r.p50Ms)),
    p99: median(m.map((r) => r.p99Ms)),
    serverCpu: median(m.map((r) => r.server.cpuPercent)),
    elu: median(m.map((r) => r.server.elu)),
    generatorCpu: median(m.map((r) => r.generatorCpuPercent)),
    perCpu: median(m.map((r) => r.requestsPerSecond / (r.server.cpuPercent / 100))),
    failures: m.reduce((n, r) => n + r.failures, 0),
  };
}
