/**
 * The agent registry: who exists, what they can do, and which one to pick.
 *
 * Agents are registered as manifests, so listing them, indexing their capabilities and validating a
 * workflow against their actions never loads their code; the module is imported on first call and
 * cached. Best-agent selection takes health from the caller (the engine knows breaker states and
 * latencies; the registry does not).
 */

import type { Agent, AgentDescriptor, AgentManifest } from './agent.ts';

/** Live health of agents, supplied by whoever tracks it. */
export interface AgentHealth {
  /** False when calls would be refused (breaker open or isolated). */
  isAvailable(agent: string): boolean;
  /** Share of successful calls in [0, 1], or null before the first call. */
  successRate(agent: string): number | null;
  /** Mean latency in ms, or null before the first call. */
  averageLatencyMs(agent: string): number | null;
}

export interface AgentSelection {
  agent: AgentDescriptor;
  /** Higher is better; coverage dominates, then success rate, then latency. */
  score: number;
  /** Required capabilities the agent offers, in [0, 1]. */
  coverage: number;
  matched: string[];
  missing: string[];
}

export interface SelectAgentOptions {
  /** Only agents offering this action qualify. */
  action?: string;
  health?: AgentHealth;
  /** Accept agents covering only part of the capabilities (default false: full coverage required). */
  allowPartial?: boolean;
  /** Agents to leave out, e.g. the one that just failed. */
  exclude?: readonly string[];
}

/** Success rate assumed for an agent with no history: good, but below a proven agent. */
const UNPROVEN_SUCCESS_RATE = 0.9;

export class AgentRegistry {
  readonly #manifests = new Map<string, AgentManifest>();
  readonly #loaded = new Map<string, Agent>();
  readonly #loading = new Map<string, Promise<Agent>>();
  readonly #byCapability = new Map<string, AgentDescriptor[]>();

  /** Registers an agent or a lazily loaded manifest. Replaces a previous agent of the same name. */
  register(entry: Agent | AgentManifest): void {
    if (this.#manifests.has(entry.name)) this.unregister(entry.name);
    const manifest: AgentManifest = 'load' in entry ? entry : { ...describe(entry), load: async () => entry };
    this.#manifests.set(entry.name, manifest);
    if (!('load' in entry)) this.#loaded.set(entry.name, entry);
    for (const capability of manifest.capabilities) {
      const list = this.#byCapability.get(capability) ?? [];
      list.push(manifest);
      this.#byCapability.set(capability, list);
    }
  }

  unregister(name: string): boolean {
    const manifest = this.#manifests.get(name);
    if (!manifest) return false;
    this.#manifests.delete(name);
    this.#loaded.delete(name);
    this.#loading.delete(name);
    for (const capability of manifest.capabilities) {
      const list = (this.#byCapability.get(capability) ?? []).filter((d) => d.name !== name);
      if (list.length) this.#byCapability.set(capability, list);
      else this.#byCapability.delete(capability);
    }
    return true;
  }

  has(name: string): boolean {
    return this.#manifests.has(name);
  }

  describe(name: string): AgentDescriptor | undefined {
    const manifest = this.#manifests.get(name);
    return manifest && describe(manifest);
  }

  list(): AgentDescriptor[] {
    return [...this.#manifests.values()].map(describe).sort((a, b) => a.name.localeCompare(b.name));
  }

  isLoaded(name: string): boolean {
    return this.#loaded.has(name);
  }

  /** The agent if its module is already loaded; the engine's fast path. */
  loadedAgent(name: string): Agent | undefined {
    return this.#loaded.get(name);
  }

  /** Loads (once) and returns the agent; undefined when no such agent is registered. */
  async load(name: string): Promise<Agent | undefined> {
    const loaded = this.#loaded.get(name);
    if (loaded) return loaded;
    const manifest = this.#manifests.get(name);
    if (!manifest) return undefined;
    let pending = this.#loading.get(name);
    if (!pending) {
      pending = manifest.load().then(
        (agent) => {
          if (this.#manifests.get(name) === manifest) this.#loaded.set(name, agent);
          this.#loading.delete(name);
          return agent;
        },
        (error: unknown) => {
          this.#loading.delete(name);
          throw error;
        },
      );
      this.#loading.set(name, pending);
    }
    return pending;
  }

  /** Agents offering a capability, by name. */
  findAgents(capability: string): AgentDescriptor[] {
    return (this.#byCapability.get(capability) ?? [])
      .map(describe)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every capability with the agents that offer it, sorted by capability. */
  capabilities(): { name: string; agents: AgentDescriptor[] }[] {
    return [...this.#byCapability.keys()].sort().map((name) => ({ name, agents: this.findAgents(name) }));
  }

  /**
   * Ranks the agents that can serve `required` and returns the best, or null. An agent must be
   * available (breaker not open), offer `options.action` when given, and cover every capability
   * unless `allowPartial`. Among those: more coverage, then a better success rate, then lower latency.
   */
  selectBestAgent(required: readonly string[], options: SelectAgentOptions = {}): AgentSelection | null {
    return this.rankAgents(required, options)[0] ?? null;
  }

  rankAgents(required: readonly string[], options: SelectAgentOptions = {}): AgentSelection[] {
    const wanted = [...new Set(required)];
    if (wanted.length === 0) return [];
    const candidates = new Set<AgentDescriptor>();
    for (const capability of wanted)
      for (const d of this.#byCapability.get(capability) ?? []) candidates.add(d);
    const ranked: AgentSelection[] = [];
    for (const agent of candidates) {
      if (options.exclude?.includes(agent.name)) continue;
      if (options.action && !agent.actions.some((a) => a.name === options.action)) continue;
      if (options.health && !options.health.isAvailable(agent.name)) continue;
      const matched = wanted.filter((c) => agent.capabilities.includes(c));
      const coverage = matched.length / wanted.length;
      if (coverage < 1 && !options.allowPartial) continue;
      const successRate = options.health?.successRate(agent.name) ?? UNPROVEN_SUCCESS_RATE;
      const latency = options.health?.averageLatencyMs(agent.name) ?? null;
      // Coverage dominates (x1000), success rate next (x100), latency breaks ties (at most 10).
      const latencyScore = latency === null ? 5 : 10 / (1 + latency / 100);
      ranked.push({
        agent: describe(agent),
        score: coverage * 1000 + successRate * 100 + latencyScore,
        coverage,
        matched,
        missing: wanted.filter((c) => !agent.capabilities.includes(c)),
      });
    }
    return ranked.sort((a, b) => b.score - a.score || a.agent.name.localeCompare(b.agent.name));
  }
}

function describe(d: AgentDescriptor): AgentDescriptor {
  return { name: d.name, description: d.description, capabilities: d.capabilities, actions: d.actions };
}
