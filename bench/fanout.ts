/**
 * fanout: 1,000 graphql-ws clients subscribed while runs execute; deliveries per second over all
 * clients, and the latency of each delivery from the engine's event (`at`) to the client.
 *
 * The server (the gateway over an Orchestrator on `memory:`, or the floor: a bare yoga + graphql-ws
 * server publishing through yoga's `createPubSub`) runs in a child process and drives itself: the
 * gateway starts runs of the 3-step no-op workflow at a fixed rate, the floor publishes the same
 * payloads at the same rate. The 1,000 clients (the graphql-ws client library over `ws`, one socket
 * each) run in this process, in two worker threads: one thread of them saturates at about 100,000
 * messages a second, the target's rate. Both processes share the machine clock, so latency = receive
 * time − `at`.
 *
 * Cases:
 * - `runUpdates`: every client subscribes to `runUpdates`; 50 runs/s give each client 100 updates/s
 *   (a RUNNING and a COMPLETED per run), 100,000 deliveries/s in all. The full bench repeats it 3 times
 *   per side (median and spread), then steps the rate down (50, 20, 10 updates/s per client) to find
 *   where each side keeps up, and runs the target rate with 100 clients.
 * - `runEvents` (full bench only): every client subscribes to `runEvents` of one long run whose map
 *   step sleeps 20 ms per item, i.e. a STEP_COMPLETED and a STEP_STARTED every ~20 ms (~100 events/s).
 *   The run is held at its first item until every client has subscribed. Its pace comes from timers
 *   of the server's own event loop, so a saturated server slows its own source down: a closed loop.
 *
 * Each side: clients connect and subscribe, a warm-up, then a measured window during which the
 * deliveries received and their latencies are recorded; then up to 3 s for the backlog to drain before
 * the server is killed (a saturated server would take many seconds to send it). While saturated, the
 * server's event loop answers nothing else for seconds, so the bench reads its CPU time from /proc
 * rather than asking it. Ratio: gateway deliveries/s ÷ floor's (target ≥ 70 %); p99 ≤ 50 ms.
 */

import { performance } from 'node:perf_hooks';
import type { BenchOptions, BenchResult } from './bench-result.ts';
import { openServer, type ServerHandle } from './lib/server-handle.ts';
import type { ServerKind } from './lib/servers.ts';
import { median, percentile, round, spread } from './lib/stats.ts';
import { openSubscribers } from './lib/ws-clients.ts';

const TARGET_P99_MS = 50;
const TARGET_RATIO = 0.7;
const EVENT_MS = 20;

const RUN_UPDATES = `subscription { runUpdates { runId workflowId workflowVersion pattern status previousStatus at error { kind message } } }`;
const RUN_EVENTS = `subscription ($runId: ID!) { runEvents(runId: $runId) { seq type runId stepId agent attempt at message data } }`;

type Scenario = 'runUpdates' | 'runEvents';

interface SideOptions {
  clients: number;
  /** Events per second to each client (runUpdates). */
  eventsPerSecond: number;
  warmupSeconds: number;
  seconds: number;
}

interface SideResult {
  clients: number;
  deliveredPerSecond: number;
  offeredPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU of the server process over the window, % of one core. */
  serverCpuPercent: number;
  clientCpuPercent: number;
  /** Event loop utilisation of the busier client thread. */
  clientElu: number;
  /** Deliveries received by the end of the drain ÷ events published × clients. */
  completeness: number;
  errors: number;
  connectSeconds: number;
  /**
   * How long a health check (GET /healthz, the floor's /health) sent halfway through the window took;
   * negative when it had no answer by the end of the drain (minus how long it had waited).
   */
  healthMs: number;
  /** Events the floor's pubsub dropped for subscribers 1,024 behind (NaN: it did not say in time). */
  dropped: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`fanout: timed out waiting for ${what}`);
    await sleep(50);
  }
}

const debug = process.env.ORQUESTRA_BENCH_DEBUG
  ? (what: string) => console.error(`fanout ${(performance.now() / 1000).toFixed(1)} s: ${what}`)
  : () => {};

async function side(kind: ServerKind, scenario: Scenario, o: SideOptions): Promise<SideResult> {
  debug(`${kind} ${scenario} starting`);
  const server: ServerHandle = await openServer(kind);
  debug('server up');
  try {
    const total = o.warmupSeconds + o.seconds;
    let runId: string | undefined;
    if (scenario === 'runEvents') {
      // Held at its first item until every client has subscribed; then long enough for the warm-up,
      // the window and a margin.
      const items = Math.ceil(((total + 5) * 1000) / EVENT_MS);
      runId = (await server.startEventRun({ items, ms: EVENT_MS })).runId;
    }
    const connecting = performance.now();
    const pool = await openSubscribers({
      url: server.wsUrl,
      clients: o.clients,
      query: scenario === 'runUpdates' ? RUN_UPDATES : RUN_EVENTS,
      field: scenario,
      ...(runId ? { variables: { runId } } : {}),
    });
    await waitFor(
      `${o.clients} subscriptions`,
      async () => (await server.subscribers(runId ? { runId } : {})) >= o.clients,
      30_000,
    );
    const connectSeconds = (performance.now() - connecting) / 1000;
    debug('subscribed');

    const deliveredBefore = pool.delivered;
    // The server drives itself. While it is saturated its event loop answers IPC only seconds late,
    // so from here on nothing waits for it: its CPU time is read from /proc.
    let published = Number.NaN;
    if (scenario === 'runUpdates') {
      const runs = Math.round((o.eventsPerSecond / 2) * total);
      published = runs * 2;
      server.driveUpdates({ runsPerSecond: o.eventsPerSecond / 2, seconds: total }).catch(() => {});
    } else {
      await server.openGate();
    }
    await sleep(o.warmupSeconds * 1000);
    const serverCpu = server.cpuTimeMs();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    pool.record();
    // Halfway through the window, how long a health check waits behind the deliveries.
    let healthSent = Number.NaN;
    const health = sleep((o.seconds * 1000) / 2).then(async () => {
      const t = performance.now();
      healthSent = t;
      const path = kind === 'floor' ? '/health' : '/healthz';
      const response = await fetch(new URL(path, server.url), { signal: AbortSignal.timeout(60_000) });
      await response.arrayBuffer();
      return performance.now() - t;
    });
    await sleep(o.seconds * 1000);
    const window = await pool.stopRecording();
    const clientCpu = process.cpuUsage(cpu);
    const clientElu = window.elu;
    const elapsedMs = performance.now() - t0;
    const serverCpuPercent = ((server.cpuTimeMs() - serverCpu) / elapsedMs) * 100;
    debug('window ended');

    const expected = published * o.clients;
    if (scenario === 'runUpdates') {
      const drainUntil = Date.now() + 3_000;
      while (pool.delivered - deliveredBefore < expected && Date.now() < drainUntil) await sleep(50);
    }
    debug('drained');
    // Best effort: a saturated server may not answer within the second.
    const dropped = await Promise.race([
      server.dropped().catch(() => Number.NaN),
      sleep(1_000).then(() => Number.NaN),
    ]);
    // Unanswered by now: negative, minus how long it has waited.
    const healthMs = await Promise.race([
      health.catch(() => Number.NaN),
      sleep(0).then(() => -(performance.now() - healthSent)),
    ]);
    const completeness = (pool.delivered - deliveredBefore) / expected;
    const errors = pool.errors;
    if (errors) console.warn(`fanout: ${errors} subscriptions failed; the first: ${pool.firstError}`);
    // A saturated server has a backlog it would take seconds to send: end it rather than drain it.
    await server.kill();
    debug('killed');
    await pool.close();
    debug('clients closed');
    const sorted = window.latencies;
    return {
      clients: o.clients,
      deliveredPerSecond: window.deliveries / window.seconds,
      offeredPerSecond: scenario === 'runUpdates' ? o.eventsPerSecond * o.clients : Number.NaN,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      serverCpuPercent,
      clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1000 / elapsedMs) * 100,
      clientElu,
      completeness,
      errors,
      connectSeconds,
      healthMs,
      dropped,
    };
  } finally {
    await server.kill();
  }
}

export default async function fanoutBench(options: BenchOptions): Promise<BenchResult[]> {
  // Saturated at the target rate, every subscriber falls behind by ~85 events a second: the windows
  // stay short enough that none is 1,024 behind, where the floor's pubsub starts refusing events.
  const base: SideOptions = { clients: 1000, eventsPerSecond: 100, warmupSeconds: 2, seconds: 6 };
  const results: BenchResult[] = [];
  const cases: { scenario: Scenario; o: SideOptions }[] = [{ scenario: 'runUpdates', o: base }];
  if (!options.short) {
    // Below the target rate: where does each side stop keeping up?
    for (const eventsPerSecond of [50, 20, 10])
      cases.push({ scenario: 'runUpdates', o: { ...base, eventsPerSecond, warmupSeconds: 3, seconds: 10 } });
    // The target rate with a tenth of the clients: the latency of one event's fan-out.
    cases.push({ scenario: 'runUpdates', o: { ...base, clients: 100, warmupSeconds: 3, seconds: 10 } });
    // A closed loop (see above): no backlog builds up, so a longer window.
    cases.push({ scenario: 'runEvents', o: { ...base, warmupSeconds: 5, seconds: 20 } });
  }
  for (const { scenario, o } of cases) {
    const atTarget = o.eventsPerSecond === base.eventsPerSecond && o.clients === base.clients;
    // The figures at the target rate are the median of 3 interleaved runs per side in the full bench.
    const repeats = !options.short && atTarget && scenario === 'runUpdates' ? 3 : 1;
    const floors: SideResult[] = [];
    const gateways: SideResult[] = [];
    for (let i = 0; i < repeats; i++) {
      floors.push(await side('floor', scenario, o));
      gateways.push(await side('gateway-memory', scenario, o));
    }
    const floor = combine(floors);
    const gateway = combine(gateways);
    const label = `${o.clients} clients, ${scenario}${atTarget || scenario === 'runEvents' ? '' : ` at ${o.eventsPerSecond}/s each`}`;
    const ratio = gateway.deliveredPerSecond / floor.deliveredPerSecond;
    const row = (
      who: 'floor' | 'gateway memory',
      metric: string,
      value: number,
      unit: string,
      extra: Partial<BenchResult> = {},
    ): BenchResult => ({ bench: 'fanout', case: `${who}: ${label}`, metric, value, unit, ...extra });
    results.push(
      row('floor', 'deliveries', Math.round(floor.deliveredPerSecond), 'events/s', {
        notes: describe(floor, scenario, o),
      }),
      ...(atTarget ? [row('floor', 'latency p50', round(floor.p50), 'ms')] : []),
      row('floor', 'latency p99', round(floor.p99), 'ms'),
      row('gateway memory', 'deliveries', Math.round(gateway.deliveredPerSecond), 'events/s', {
        floor: Math.round(floor.deliveredPerSecond),
        ratio: round(ratio),
        ...(atTarget ? { target: `≥ ${TARGET_RATIO * 100} % of the floor`, met: ratio >= TARGET_RATIO } : {}),
        notes: describe(gateway, scenario, o),
      }),
      row('gateway memory', 'deliveries per server CPU-second', Math.round(perCpu(gateway)), 'events', {
        floor: Math.round(perCpu(floor)),
        ratio: round(perCpu(gateway) / perCpu(floor)),
      }),
      ...(atTarget
        ? [
            row('gateway memory', 'latency p50', round(gateway.p50), 'ms', {
              floor: round(floor.p50),
              ratio: round(gateway.p50 / floor.p50),
            }),
          ]
        : []),
      row('gateway memory', 'latency p99', round(gateway.p99), 'ms', {
        floor: round(floor.p99),
        ratio: round(gateway.p99 / floor.p99),
        ...(atTarget
          ? {
              target: `≤ ${TARGET_P99_MS} ms at ${o.eventsPerSecond} events/s per client`,
              met: gateway.p99 <= TARGET_P99_MS,
            }
          : {}),
      }),
    );
  }
  return results;
}

/** The median of each figure over repeated runs, with the spread of the main ones. */
function combine(runs: SideResult[]): SideResult & { spread: string } {
  const m = (pick: (r: SideResult) => number) => median(runs.map(pick));
  const byThroughput = [...runs].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
  const mid = byThroughput[Math.floor((runs.length - 1) / 2)]!;
  return {
    ...mid,
    deliveredPerSecond: m((r) => r.deliveredPerSecond),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    serverCpuPercent: m((r) => r.serverCpuPercent),
    spread:
      runs.length > 1
        ? `median of ${runs.length} runs (deliveries/s ${spread(runs.map((r) => r.deliveredPerSecond))}, p99 ms ${spread(runs.map((r) => r.p99))})`
        : '',
  };
}

/** Deliveries per second of CPU time the server process used: less sensitive to a busy machine. */
const perCpu = (r: SideResult) => r.deliveredPerSecond / (r.serverCpuPercent / 100);

function describe(r: SideResult & { spread: string }, scenario: Scenario, o: SideOptions): string {
  return [
    r.spread,
    scenario === 'runUpdates'
      ? `offered ${o.eventsPerSecond} events/s per client (${(r.offeredPerSecond / 1000).toFixed(0)}k/s in all)`
      : `one run's events, paced at ~${Math.round(2000 / EVENT_MS)}/s by timers of the server's own loop (slower once saturated): ${Math.round(r.deliveredPerSecond / r.clients)} events/s reached each client`,
    `${o.seconds} s window after ${o.warmupSeconds} s warm-up`,
    `max latency ${Math.round(r.max)} ms`,
    `a health check sent halfway ${r.healthMs < 0 ? `had no answer after ${(-r.healthMs / 1000).toFixed(1)} s` : `took ${Math.round(r.healthMs)} ms`}`,
    `server CPU ${Math.round(r.serverCpuPercent)} %`,
    `clients (2 threads) CPU ${Math.round(r.clientCpuPercent)} %, ELU of the busier ${r.clientElu.toFixed(2)}`,
    Number.isNaN(r.completeness)
      ? ''
      : `${(r.completeness * 100).toFixed(1)} % of all published delivered 3 s after the window`,
    r.errors ? `${r.errors} subscriptions failed` : '',
    r.dropped
      ? `pubsub dropped ${Number.isNaN(r.dropped) ? 'an unknown number of' : r.dropped.toLocaleString('en-US')} events for subscribers 1,024 behind`
      : '',
    `connect + subscribe ${r.connectSeconds.toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join('; ');
}
