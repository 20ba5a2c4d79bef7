/**
 * The built-in agents as lazily loaded manifests.
 *
 * Descriptors are static data (`descriptors.ts`); each `load` imports its agent module on first use, so
 * listing agents, indexing capabilities and validating workflows never loads analysis code or opens a
 * database.
 */

import type { Agent, AgentDescriptor, AgentManifest } from './agent.ts';
import { ANITA, BONIFACIO, CEUCI, DRUMMOND, NANA, OXOSSI, TIRADENTES, ZUMBI } from './descriptors.ts';

export interface BuiltinAgentsConfig {
  /** Directory for the agents' stored records (case records, publications); default `./data`. */
  dataDir: string;
}

function manifest(descriptor: AgentDescriptor, load: () => Promise<Agent>): AgentManifest {
  return { ...descriptor, load };
}

export function builtinAgentManifests(config: BuiltinAgentsConfig = { dataDir: './data' }): AgentManifest[] {
  const dataDir = config.dataDir;
  return [
    manifest(ZUMBI, async () => (await import('./zumbi.ts')).createZumbiAgent()),
    manifest(ANITA, async () => (await import('./anita.ts')).createAnitaAgent()),
    manifest(OXOSSI, async () => (await import('./oxossi.ts')).createOxossiAgent()),
    manifest(BONIFACIO, async () => (await import('./bonifacio.ts')).createBonifacioAgent()),
    manifest(TIRADENTES, async () => (await import('./tiradentes.ts')).createTiradentesAgent()),
    manifest(CEUCI, async () => (await import('./ceuci.ts')).createCeuciAgent()),
    manifest(NANA, async () => (await import('./nana.ts')).createNanaAgent({ dataDir })),
    manifest(DRUMMOND, async () => (await import('./drummond.ts')).createDrummondAgent({ dataDir })),
  ];
}
