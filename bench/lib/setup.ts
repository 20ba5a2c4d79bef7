/**
 * What the http, fanout and memory benchmarks run: an engine with a no-op agent and a 3-step
 * sequential workflow, on the store a URL names, optionally behind the real gateway.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../../src/agents/agent.ts';
import { AgentRegistry } from '../../src/agents/registry.ts';
import { InMemoryEventBus, Orchestrator, type RunStore } from '../../src/engine/index.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';

export const noopAgent: Agent = {
  name: 'noop',
  description: 'does nothing',
  capabilities: ['noop'],
  actions: [{ name: 'run', description: 'returns null' }],
  async process() {
    return { result: null };
  },
};

let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  openGate = resolve;
});
/** Holds the sleep agent's calls with a negative `ms` until opened (once, for the whole process). */
export const eventGate = { open: () => openGate(), wait: () => gate };

/**
 * Waits `payload.ms` (default 20) before answering: a step that takes a while. A negative `ms` waits
 * for `eventGate` instead, so that a run can be started, subscribed to, and then let go.
 */
export const sleepAgent: Agent = {
  name: 'sleep',
  description: 'waits, then returns null',
  capabilities: ['sleep'],
  actions: [{ name: 'run', description: 'waits payload.ms milliseconds (< 0: until the gate opens)' }],
  process({ payload }, { signal }) {
    const ms = typeof payload.ms === 'number' ? payload.ms : 20;
    if (ms < 0) return gate.then(() => ({ result: null }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ result: null }), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  },
};

/** The workflow the http, fanout and memory rows run: 3 no-op steps in sequence. */
export const SEQ3 = {
  id: 'seq3',
  name: '3-step sequential',
  pattern: 'SEQUENTIAL',
  steps: [1, 2, 3].map((i) => ({ id: `s${i}`, agent: 'noop', action: 'run' })),
};

/**
 * A long run whose events come at a steady pace: a map step over `input.items`, one item at a time,
 * each waiting `item` ms (STEP_STARTED and STEP_COMPLETED per item), then a no-op reduce step.
 */
export const slowWorkflow = () => ({
  id: 'slow',
  name: 'a map step of sleeping items, one at a time',
  pattern: 'MAP_REDUCE',
  steps: [
    {
      id: 'tick',
      agent: 'sleep',
      action: 'run',
      inputMapping: { ms: 'item' },
      map: { items: 'input.items', concurrency: 1 },
    },
    { id: 'done', agent: 'noop', action: 'run', reduce: true },
  ],
});

export const quietLogger = { info() {}, warn: console.warn, error: console.error };

export type StoreKind = 'memory' | 'sqlite';

export interface BenchEngine {
  engine: Orchestrator;
  store: RunStore;
  bus: InMemoryEventBus;
  /** Set when started with a gateway. */
  gateway: Gateway | null;
  stop(): Promise<void>;
}

/**
 * The engine on `memory:` or on a SQLite file in a temporary directory (removed at stop), optionally
 * behind the gateway on an ephemeral port of 127.0.0.1, without API keys.
 */
export async function startBenchEngine(
  kind: StoreKind,
  options: { gateway?: boolean; workflows?: unknown[] } = {},
): Promise<BenchEngine> {
  const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'orquestra-bench-')) : null;
  const store = await openRunStore(dir ? `sqlite:${join(dir, 'bench.db')}` : 'memory:');
  const agents = new AgentRegistry();
  agents.register(noopAgent);
  agents.register(sleepAgent);
  const bus = new InMemoryEventBus();
  const engine = await Orchestrator.start({
    store,
    agents,
    bus,
    workflows: options.workflows ?? [SEQ3],
    logger: quietLogger,
  });
  const gateway = options.gateway
    ? await startGateway({ engine, port: 0, production: true, logger: quietLogger })
    : null;
  return {
    engine,
    store,
    bus,
    gateway,
    async stop() {
      if (gateway) await gateway.close({ graceMs: 1_000 });
      else await engine.stop({ graceMs: 1_000 });
      await store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
