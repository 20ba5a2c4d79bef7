/**
 * A real gateway for one test: a real engine on a real SQLite store (in memory unless a file is asked
 * for), the real in-process bus, test agents, and `startGateway` on an ephemeral port. The store is
 * seen through a counting proxy (every call is forwarded unchanged and counted per method), so tests
 * can assert how many reads a query costs. Everything is closed when the test finishes.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { Agent } from '../../../src/agents/agent.ts';
import { AgentRegistry } from '../../../src/agents/registry.ts';
import {
  InMemoryEventBus,
  Orchestrator,
  type OrchestratorOptions,
  type PayloadOf,
  type RunStore,
  type Subscription,
  type Topic,
} from '../../../src/engine/index.ts';
import type { Role } from '../../../src/schema/index.ts';
import { type Gateway, type GatewayOptions, startGateway } from '../../../src/server.ts';
import { openRunStore } from '../../../src/store/open-run-store.ts';

export interface Harness {
  gateway: Gateway;
  engine: Orchestrator;
  /** The real SQLite store behind a counting proxy. */
  store: RunStore;
  /** The store's URL (a file in a temporary directory with `file: true`). */
  storeUrl: string;
  /** Calls per store method since the last `resetCounts()`. */
  storeCalls: Map<string, number>;
  resetCounts(): void;
  bus: WatchedBus;
  registry: AgentRegistry;
  /** What the engine and the gateway logged. */
  logs: { level: string; args: unknown[] }[];
  /** Resolves with the first log entry (already logged or to come) whose text matches. */
  logged(level: string, pattern: RegExp): Promise<{ level: string; args: unknown[] }>;
  /** Closes the gateway (idempotent) with the given grace. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface HarnessOptions {
  agents?: Agent[];
  workflows?: unknown[];
  apiKeys?: Record<string, Role>;
  production?: boolean;
  bodyLimitBytes?: number;
  sharedSubscriptions?: GatewayOptions['sharedSubscriptions'];
  limits?: GatewayOptions['limits'];
  engine?: Partial<Omit<OrchestratorOptions, 'store' | 'agents' | 'bus' | 'workflows' | 'logger'>>;
  /** Use a SQLite file in a fresh temporary directory instead of `:memory:`. */
  file?: boolean;
  /** While `failWrites` is set, the store's `write` throws (a database outage); everything else is real. */
  faults?: { failWrites: boolean };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  let directory: string | null = null;
  let url = 'sqlite::memory:';
  if (options.file) {
    directory = mkdtempSync(join(tmpdir(), 'orquestra-gateway-'));
    url = `sqlite:${join(directory, 'runs.db')}`;
  }
  const inner = await openRunStore(url, { instanceId: 'gateway-test' });
  const { store, calls } = countingStore(inner, options.faults);
  const registry = new AgentRegistry();
  for (const agent of options.agents ?? []) registry.register(agent);
  const bus = new WatchedBus({
    onListenerError: (error, topic) => logs.push({ level: 'error', args: [topic, error] }),
  });
  const logs: Harness['logs'] = [];
  const logWaiters = new Set<{
    level: string;
    pattern: RegExp;
    resolve: (entry: Harness['logs'][number]) => void;
  }>();
  const matches = (entry: Harness['logs'][number], level: string, pattern: RegExp) =>
    entry.level === level && pattern.test(entry.args.map(String).join(' '));
  const log =
    (level: string) =>
    (...args: unknown[]) => {
      const entry = { level, args };
      logs.push(entry);
      for (const waiter of logWaiters) {
        if (matches(entry, waiter.level, waiter.pattern)) {
          logWaiters.delete(waiter);
          waiter.resolve(entry);
        }
      }
    };
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const engine = await Orchestrator.start({
    retryPolicy: { maxAttempts: 1 },
    ...options.engine,
    store,
    agents: registry,
    bus,
    logger,
    workflows: options.workflows ?? [],
  });
  const gateway = await startGateway({
    engine,
    port: 0,
    logger,
    production: options.production ?? false,
    ...(options.apiKeys ? { apiKeys: new Map(Object.entries(options.apiKeys)) } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.sharedSubscriptions ? { sharedSubscriptions: options.sharedSubscriptions } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  let closed: Promise<void> | null = null;
  const harness: Harness = {
    gateway,
    engine,
    store,
    storeUrl: url,
    storeCalls: calls,
    resetCounts: () => calls.clear(),
    bus,
    registry,
    logs,
    logged: (level, pattern) => {
      const found = logs.find((entry) => matches(entry, level, pattern));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => logWaiters.add({ level, pattern, resolve }));
    },
    close: (closeOptions = {}) => {
      closed ??= gateway.close({ graceMs: closeOptions.graceMs ?? 0 });
      return closed;
    },
  };
  onTestFinished(async () => {
    await harness.close();
    await inner.close().catch(() => {});
    if (directory) rmSync(directory, { recursive: true, force: true });
  });
  return harness;
}

/**
 * The real in-process bus, with a way to wait until a topic has a given number of listeners: how a test
 * knows that a subscription has reached the engine (or has been released) without polling.
 */
export class WatchedBus extends InMemoryEventBus {
  readonly #waiters = new Set<{ topic: Topic; count: number; resolve: () => void }>();

  override subscribe<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): Subscription {
    const subscription = super.subscribe(topic, listener);
    this.#check();
    return {
      ready: subscription.ready,
      dispose: () => {
        subscription.dispose();
        this.#check();
      },
    };
  }

  /** Resolves once `topic` has exactly `count` listeners. */
  listeners(topic: Topic, count: number): Promise<void> {
    if (this.listenerCount(topic) === count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ topic, count, resolve }));
  }

  #check(): void {
    for (const waiter of this.#waiters) {
      if (this.listenerCount(waiter.topic) === waiter.count) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

/** Forwards every call to `inner` unchanged (unless a fault is injected) and counts calls per method name. */
export function countingStore(
  inner: RunStore,
  faults: { failWrites: boolean } = { failWrites: false },
): { store: RunStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, _receiver) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        if (property === 'write' && faults.failWrites)
          return Promise.reject(new Error('database unavailable'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}
