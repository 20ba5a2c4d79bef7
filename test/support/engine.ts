/**
 * Starting a real engine for a test: a real AgentRegistry with the given (test) agents, a real
 * MemoryRunStore (wrapped in a RecordingStore so tests can observe writes), the real in-process bus
 * (observed by a RecordingBus).
 */

import type { Agent, AgentManifest } from '../../src/agents/agent.ts';
import { AgentRegistry } from '../../src/agents/registry.ts';
import { Orchestrator, type OrchestratorOptions } from '../../src/engine/orchestrator.ts';
import type { RunStore } from '../../src/engine/store.ts';
import { MemoryRunStore } from '../../src/store/memory-run-store.ts';
import { RecordingBus } from './recording-bus.ts';
import { RecordingStore } from './recording-store.ts';

export interface TestEngine {
  orchestrator: Orchestrator;
  store: RecordingStore;
  bus: RecordingBus;
  registry: AgentRegistry;
  /** What the engine logged (it logs nothing to the console in tests). */
  logs: { level: 'info' | 'warn' | 'error'; args: unknown[] }[];
}

export interface TestEngineOptions extends Partial<Omit<OrchestratorOptions, 'agents' | 'store' | 'bus'>> {
  agents?: (Agent | AgentManifest)[];
  /** The store to wrap; default a fresh, migrated MemoryRunStore. */
  store?: RunStore;
  registry?: AgentRegistry;
}

/**
 * Starts an orchestrator. Unless the test says otherwise, steps make ONE attempt (`maxAttempts: 1`)
 * so that failure tests do not wait for backoff; retry tests pass their own `retryPolicy`.
 */
export async function startEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const { agents = [], store: inner, registry: given, ...rest } = options;
  const registry = given ?? new AgentRegistry();
  for (const agent of agents) registry.register(agent);
  const base = inner ?? new MemoryRunStore();
  await base.migrate();
  const store = new RecordingStore(base);
  const bus = new RecordingBus();
  bus.store = store;
  const logs: TestEngine['logs'] = [];
  const orchestrator = await Orchestrator.start({
    retryPolicy: { maxAttempts: 1 },
    ...rest,
    store,
    agents: registry,
    bus,
    logger: {
      info: (...args: unknown[]) => logs.push({ level: 'info', args }),
      warn: (...args: unknown[]) => logs.push({ level: 'warn', args }),
      error: (...args: unknown[]) => logs.push({ level: 'error', args }),
    },
  });
  return { orchestrator, store, bus, registry, logs };
}
