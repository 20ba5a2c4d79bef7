/**
 * Assembling a running orquestra from its configuration: the store the URL names, the built-in agents,
 * the shipped workflow definitions, the engine and the gateway. `npm start`, the CLI's embedded mode
 * and the end-to-end tests all start it this way.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinAgentManifests } from './agents/builtin.ts';
import { AgentRegistry } from './agents/registry.ts';
import { RedisEventBus } from './bus/redis-event-bus.ts';
import type { GatewayConfig } from './config.ts';
import { type EventBus, Orchestrator, type RunStore } from './engine/index.ts';
import { type Gateway, startGateway } from './server.ts';
import { openRunStore } from './store/open-run-store.ts';

export interface Orquestra {
  gateway: Gateway;
  engine: Orchestrator;
  store: RunStore;
  /** Graceful stop: runs finish within the grace period or end INTERRUPTED; then the store (and a bus it opened) closes. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  /** Agents to use instead of the built-in ones. */
  agents?: AgentRegistry;
  /** Extra definitions registered at start, after the shipped ones. */
  workflows?: readonly unknown[];
  bus?: EventBus;
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

const WORKFLOWS_DIR = join(import.meta.dirname, 'workflows');

/** The shipped workflow definitions (src/workflows/*.json), in file name order. */
export async function loadShippedWorkflows(): Promise<unknown[]> {
  const files = (await readdir(WORKFLOWS_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(WORKFLOWS_DIR, f), 'utf8')) as unknown),
  );
}

export function builtinAgents(dataDir: string): AgentRegistry {
  const registry = new AgentRegistry();
  for (const manifest of builtinAgentManifests({ dataDir })) registry.register(manifest);
  return registry;
}

export async function startOrquestra(config: GatewayConfig, options: StartOptions = {}): Promise<Orquestra> {
  const store = await openRunStore(config.databaseUrl, { instanceId: config.instanceId });
  let bus = options.bus;
  try {
    if (!bus && config.redisUrl) bus = await RedisEventBus.connect({ url: config.redisUrl });
    const engine = await Orchestrator.start({
      store,
      agents: options.agents ?? builtinAgents(config.dataDir),
      workflows: [...(await loadShippedWorkflows()), ...(options.workflows ?? [])],
      ...(bus ? { bus } : {}),
      ...(config.retention ? { retention: config.retention } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const gateway = await startGateway({
      engine,
      host: config.host,
      port: config.port,
      apiKeys: config.apiKeys,
      production: config.production,
      bodyLimitBytes: config.bodyLimitBytes,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    let closing: Promise<void> | null = null;
    return {
      gateway,
      engine,
      store,
      close: (closeOptions = {}) => {
        closing ??= gateway
          .close({ graceMs: closeOptions.graceMs ?? config.shutdownGraceMs })
          .finally(() => Promise.all([store.close(), options.bus ? null : bus?.close()]));
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    if (!options.bus) await bus?.close();
    throw error;
  }
}
