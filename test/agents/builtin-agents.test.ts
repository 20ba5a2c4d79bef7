/**
 * The built-in manifests: static descriptors listing every action and parameter default, lazy loading
 * (listing loads no analysis code), the registry, the abort signal, and JSON-only results.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agents/agent.ts';
import { builtinAgentManifests } from '../../src/agents/builtin.ts';
import {
  ANITA_PARAMETERS,
  BONIFACIO_PARAMETERS,
  OXOSSI_PARAMETERS,
  RANK_AGENCIES_PARAMETERS,
  TIRADENTES_PARAMETERS,
  ZUMBI_PARAMETERS,
} from '../../src/agents/parameter-tables.ts';
import { AgentRegistry } from '../../src/agents/registry.ts';
import type { JsonObject } from '../../src/engine/json.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';
import { call, directContext } from './helpers/agent-calls.ts';

const dataDir = temporaryDirectory('orquestra-builtin-');
const BUILTIN_URL = pathToFileURL(join(import.meta.dirname, '../../src/agents/builtin.ts')).href;

/** Fails on anything JSON cannot carry as is: undefined, NaN, Infinity, functions, class instances. */
function assertPlainJson(value: unknown, path = '$'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertPlainJson(v, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) assertPlainJson(v, `${path}.${k}`);
    return;
  }
  throw new Error(`${path} is not JSON (${typeof value})`);
}

describe('builtinAgentManifests', () => {
  it('describes the eight agents with capabilities, actions and parameter defaults', () => {
    const manifests = builtinAgentManifests({ dataDir });
    expect(manifests.map((m) => m.name)).toEqual([
      'zumbi',
      'anita',
      'oxossi',
      'bonifacio',
      'tiradentes',
      'ceuci',
      'nana',
      'drummond',
    ]);
    const actions = Object.fromEntries(manifests.map((m) => [m.name, m.actions.map((a) => a.name)]));
    expect(actions).toEqual({
      zumbi: ['detect_anomalies'],
      anita: ['analyze_patterns'],
      oxossi: ['detect_fraud_indicators'],
      bonifacio: ['check_compliance'],
      tiradentes: ['generate_report', 'summarize', 'rank_agencies'],
      ceuci: ['load_contracts', 'group_by_agency'],
      nana: ['open_case', 'withdraw_case', 'attach_report', 'detach_report'],
      drummond: ['publish_case', 'unpublish_case'],
    });
    const detect = manifests[0]?.actions[0];
    for (const [name, spec] of Object.entries(ZUMBI_PARAMETERS)) {
      expect(detect?.parameters?.[`parameters.${name}`]).toContain(
        `(default ${JSON.stringify(spec.default)})`,
      );
    }
    expect(detect?.parameters?.['parameters.outlierZThreshold']).toContain('(default 3.5)');
    expect(detect?.parameters?.['parameters.concentrationThreshold']).toContain('(default 0.7)');
  });

  it('documents every parameter with its default in docs/agents.md', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/agents.md'), 'utf8');
    for (const table of [
      ZUMBI_PARAMETERS,
      ANITA_PARAMETERS,
      OXOSSI_PARAMETERS,
      BONIFACIO_PARAMETERS,
      TIRADENTES_PARAMETERS,
      RANK_AGENCIES_PARAMETERS,
    ]) {
      for (const [name, spec] of Object.entries(table)) {
        const row =
          name === 'topFindingsPerAgency'
            ? `\`${name}\` (default \`${JSON.stringify(spec.default)}\`)`
            : `| \`${name}\` | \`${JSON.stringify(spec.default)}\` |`;
        expect(docs, name).toContain(row);
      }
    }
  });

  it('lists agents without loading any analysis module, and loads one on first use', () => {
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { builtinAgentManifests } = await import(${JSON.stringify(BUILTIN_URL)});
      const manifests = builtinAgentManifests({ dataDir: ${JSON.stringify(dataDir)} });
      const listed = loaded.filter((u) => u.includes('/src/')).map((u) => u.slice(u.indexOf('/src/')));
      const zumbi = await manifests[0].load();
      const afterLoad = loaded.filter((u) => u.includes('/src/')).map((u) => u.slice(u.indexOf('/src/')));
      console.log(JSON.stringify({ listed, afterLoad, name: zumbi.name }));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const { listed, afterLoad, name } = JSON.parse(output.trim().split('\n').pop() as string) as {
      listed: string[];
      afterLoad: string[];
      name: string;
    };
    // Type-only imports are erased, so even agent.ts is not loaded to list agents.
    expect([...listed].sort()).toEqual([
      '/src/agents/builtin.ts',
      '/src/agents/descriptors.ts',
      '/src/agents/parameter-tables.ts',
    ]);
    expect(name).toBe('zumbi');
    expect(afterLoad).toContain('/src/agents/zumbi.ts');
    expect(afterLoad).toContain('/src/agents/detectors/price-outliers.ts');
    expect(afterLoad).not.toContain('/src/agents/nana.ts');
  });

  it('registers with the registry for capability discovery and loads agents matching their descriptors', async () => {
    const registry = new AgentRegistry();
    for (const manifest of builtinAgentManifests({ dataDir })) registry.register(manifest);
    expect(registry.isLoaded('zumbi')).toBe(false);
    expect(registry.findAgents('anomaly_detection').map((a) => a.name)).toEqual(['zumbi']);
    expect(registry.selectBestAgent(['legal_compliance'], { action: 'check_compliance' })?.agent.name).toBe(
      'bonifacio',
    );
    for (const descriptor of registry.list()) {
      const agent = (await registry.load(descriptor.name)) as Agent;
      expect(agent.name).toBe(descriptor.name);
      expect(agent.actions).toEqual(descriptor.actions);
      expect(agent.capabilities).toEqual(descriptor.capabilities);
    }
    expect(registry.isLoaded('zumbi')).toBe(true);
  });
});

describe('every analysis action', () => {
  const manifests = builtinAgentManifests({ dataDir });
  const analyses: [string, string][] = [
    ['zumbi', 'detect_anomalies'],
    ['anita', 'analyze_patterns'],
    ['oxossi', 'detect_fraud_indicators'],
    ['bonifacio', 'check_compliance'],
  ];

  for (const [name, action] of analyses) {
    it(`${name}.${action} returns the common shape as plain JSON, and stops on the abort signal`, async () => {
      const agent = await (manifests.find((m) => m.name === name) as { load(): Promise<Agent> }).load();
      const result = await call(agent, action, { dataset: 'ifms', label: 'all' });
      assertPlainJson(result);
      expect(result).toMatchObject({ agent: name, action, label: 'all', contractsAnalyzed: 1546 });
      expect(result.anomaliesFound).toBe((result.findings as unknown[]).length);
      expect(result.riskScore).toBeGreaterThanOrEqual(0);
      expect(result.riskScore).toBeLessThanOrEqual(10);
      expect(['LOW', 'MEDIUM', 'HIGH']).toContain(result.riskLevel);
      for (const f of result.findings as JsonObject[]) {
        expect(Object.keys(f).sort()).toEqual([
          'agent',
          'contractIds',
          'evidence',
          'id',
          'score',
          'severity',
          'title',
          'type',
        ]);
      }

      const aborted = new AbortController();
      aborted.abort();
      await expect(
        agent.process({ action, payload: { dataset: 'ifms' } }, directContext(aborted.signal)),
      ).rejects.toMatchObject({
        name: 'AbortError',
      });
      // Aborted while the contracts are being resolved: the agent stops before analysing them.
      const midway = new AbortController();
      const pending = agent.process({ action, payload: { dataset: 'ifms' } }, directContext(midway.signal));
      midway.abort(new Error('step timed out'));
      await expect(pending).rejects.toThrow('step timed out');
    });
  }
});
