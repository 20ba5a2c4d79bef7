/**
 * The shipped workflow drafts (`src/workflows/*.json`) against the agents they call: every agent and
 * action exists, every mapped path names a key the step's action really returns, every `data.*` read is
 * written by an earlier output mapping. When the engine is present in the tree, each workflow is also
 * validated and run end to end on the IFMS dataset.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agents/agent.ts';
import { builtinAgentManifests } from '../../src/agents/builtin.ts';
import { BUILTIN_DESCRIPTORS } from '../../src/agents/descriptors.ts';
import { recordToJson } from '../../src/agents/procurement/record.ts';
import { generateSyntheticDataset } from '../../src/agents/procurement/synthetic.ts';
import { AgentRegistry } from '../../src/agents/registry.ts';
import type { StepDefinition, WorkflowDefinition } from '../../src/engine/definition.ts';
import { Orchestrator } from '../../src/engine/index.ts';
import type { JsonObject } from '../../src/engine/json.ts';
import { MemoryRunStore } from '../../src/store/memory-run-store.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';
import { call } from './helpers/agent-calls.ts';

const WORKFLOW_DIR = join(import.meta.dirname, '../../src/workflows');
const workflows: WorkflowDefinition[] = readdirSync(WORKFLOW_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(WORKFLOW_DIR, f), 'utf8')) as WorkflowDefinition);

const PATTERN_OF: Record<string, string> = {
  default_investigation: 'SEQUENTIAL',
  parallel_screening: 'PARALLEL',
  triage: 'FAN_OUT_FAN_IN',
  risk_routing: 'CONDITIONAL',
  case_publication: 'SAGA',
  agency_map_reduce: 'MAP_REDUCE',
  contract_watch: 'EVENT_DRIVEN',
};

/** Top-level keys each action really returns, found by calling it. */
const outputKeys = new Map<string, Set<string>>();

beforeAll(async () => {
  const dataDir = temporaryDirectory('orquestra-workflow-keys-');
  const agents = new Map<string, Agent>();
  for (const manifest of builtinAgentManifests({ dataDir })) agents.set(manifest.name, await manifest.load());
  const agent = (name: string) => agents.get(name) as Agent;
  const contracts = generateSyntheticDataset({ seed: 3, contractsPerAgency: 40 }).records.map(recordToJson);
  const remember = (key: string, result: Record<string, unknown>) =>
    outputKeys.set(key, new Set(Object.keys(result)));
  const analyses: Record<string, JsonObject> = {};
  for (const [name, action] of [
    ['zumbi', 'detect_anomalies'],
    ['anita', 'analyze_patterns'],
    ['oxossi', 'detect_fraud_indicators'],
    ['bonifacio', 'check_compliance'],
  ] as const) {
    const result = await call(agent(name), action, { contracts });
    analyses[name] = result as JsonObject;
    remember(`${name}.${action}`, result);
  }
  const report = await call(agent('tiradentes'), 'generate_report', { analyses });
  remember('tiradentes.generate_report', report);
  remember('tiradentes.summarize', await call(agent('tiradentes'), 'summarize', { analyses }));
  remember(
    'tiradentes.rank_agencies',
    await call(agent('tiradentes'), 'rank_agencies', { results: [analyses.zumbi as JsonObject] }),
  );
  remember('ceuci.load_contracts', await call(agent('ceuci'), 'load_contracts', { contracts }));
  remember('ceuci.group_by_agency', await call(agent('ceuci'), 'group_by_agency', { contracts }));
  const opened = await call(agent('nana'), 'open_case', { summary: report.summary as JsonObject });
  remember('nana.open_case', opened);
  const attached = await call(agent('nana'), 'attach_report', {
    caseId: String(opened.caseId),
    report: report.report as JsonObject,
  });
  remember('nana.attach_report', attached);
  const published = await call(agent('drummond'), 'publish_case', { caseId: String(opened.caseId) });
  remember('drummond.publish_case', published);
});

function stepsOf(workflow: WorkflowDefinition): Map<string, StepDefinition> {
  return new Map(workflow.steps.map((s) => [s.id, s]));
}

/** Every `steps.X.output.K...` path in a workflow, with where it appears. */
function stepOutputPaths(workflow: WorkflowDefinition): { at: string; step: string; key: string }[] {
  const paths: { at: string; path: string }[] = [];
  const conditionPaths = (c: unknown, at: string) => {
    if (c && typeof c === 'object') {
      const o = c as Record<string, unknown>;
      if (typeof o.path === 'string') paths.push({ at, path: o.path });
      for (const key of ['all', 'any'])
        if (Array.isArray(o[key])) for (const x of o[key] as unknown[]) conditionPaths(x, at);
      if (o.not) conditionPaths(o.not, at);
    }
  };
  for (const step of workflow.steps) {
    for (const [key, path] of Object.entries(step.inputMapping ?? {}))
      paths.push({ at: `${step.id}.inputMapping.${key}`, path });
    conditionPaths(step.condition, `${step.id}.condition`);
    if (step.next && typeof step.next === 'object')
      for (const w of step.next.when ?? []) conditionPaths(w.condition, `${step.id}.next`);
    if (step.map) paths.push({ at: `${step.id}.map.items`, path: step.map.items });
  }
  for (const [key, path] of Object.entries(workflow.output ?? {})) paths.push({ at: `output.${key}`, path });
  return paths
    .map(({ at, path }) => ({ at, match: /^steps\.([^.]+)\.output\.([^.]+)/.exec(path) }))
    .filter((p): p is { at: string; match: RegExpExecArray } => p.match !== null)
    .map(({ at, match }) => ({ at, step: match[1] as string, key: match[2] as string }));
}

describe('shipped workflow drafts', () => {
  it('has one definition per pattern', () => {
    expect(Object.fromEntries(workflows.map((w) => [w.id, w.pattern]))).toEqual(PATTERN_OF);
  });

  for (const workflow of workflows) {
    describe(workflow.id, () => {
      it('calls agents and actions that exist, compensations included', () => {
        for (const step of workflow.steps) {
          const agent = BUILTIN_DESCRIPTORS.find((d) => d.name === step.agent);
          expect(agent, `${step.id}: agent ${step.agent}`).toBeDefined();
          const actions = agent?.actions.map((a) => a.name) ?? [];
          expect(actions, `${step.id}`).toContain(step.action);
          if (step.compensation)
            expect(actions, `${step.id} compensation`).toContain(step.compensation.action);
        }
      });

      it('reads only output keys the steps really return', () => {
        const steps = stepsOf(workflow);
        for (const { at, step, key } of stepOutputPaths(workflow)) {
          const target = steps.get(step);
          expect(target, `${at}: step ${step}`).toBeDefined();
          const keys = outputKeys.get(`${target?.agent}.${target?.action}`);
          expect([...(keys ?? [])], `${at}: ${target?.agent}.${target?.action} returns ${key}`).toContain(
            key,
          );
        }
        for (const step of workflow.steps) {
          const keys = outputKeys.get(`${step.agent}.${step.action}`);
          for (const [target, source] of Object.entries(step.outputMapping ?? {})) {
            if (source === '$' || source === '') continue;
            expect([...(keys ?? [])], `${step.id}.outputMapping.${target}`).toContain(source.split('.')[0]);
          }
        }
      });

      it('reads data.* only where an output mapping writes it', () => {
        const written = workflow.steps.flatMap((s) => Object.keys(s.outputMapping ?? {}));
        const reads = [
          ...workflow.steps.flatMap((s) => Object.values(s.inputMapping ?? {})),
          ...workflow.steps.flatMap((s) => (s.condition && 'path' in s.condition ? [s.condition.path] : [])),
        ].filter((p) => p.startsWith('data.'));
        for (const read of reads) {
          const path = read.slice('data.'.length);
          expect(
            written.some((w) => w === path || w.startsWith(`${path}.`) || path.startsWith(`${w}.`)),
            `${workflow.id} reads ${read}`,
          ).toBe(true);
        }
      });

      if (workflow.merge?.rules) {
        it('merges keys the branches return', () => {
          const branchKeys = new Set(
            workflow.steps
              .filter((s) => !s.fanIn)
              .flatMap((s) => [...(outputKeys.get(`${s.agent}.${s.action}`) ?? [])]),
          );
          for (const key of Object.keys(workflow.merge?.rules ?? {})) expect([...branchKeys]).toContain(key);
        });
      }
    });
  }
});

describe('shipped workflows on the engine, over the IFMS dataset', () => {
  it('validates and runs every pattern to its expected end', async () => {
    const dataDir = temporaryDirectory('orquestra-workflow-runs-');
    const registry = new AgentRegistry();
    for (const manifest of builtinAgentManifests({ dataDir })) registry.register(manifest);
    const orchestrator = await Orchestrator.start({
      store: new MemoryRunStore(),
      agents: registry,
      workflows,
      logger: { info() {}, warn() {}, error: console.error },
    });
    try {
      const outcomes: Record<string, { status: string; output: Record<string, unknown> | null }> = {};
      for (const [id, input] of [
        ['default_investigation', { dataset: 'ifms' }],
        ['parallel_screening', { dataset: 'ifms' }],
        ['triage', { dataset: 'ifms' }],
        ['risk_routing', { dataset: 'ifms' }],
        ['case_publication', { dataset: 'ifms', caseTitle: 'IFMS screening' }],
        ['agency_map_reduce', { dataset: 'ifms' }],
        ['contract_watch', { dataset: 'ifms' }],
      ] as const) {
        const run = await orchestrator.executeWorkflow(id, input, { wait: true });
        outcomes[id] = { status: run.status, output: run.output as Record<string, unknown> | null };
      }
      for (const [id, outcome] of Object.entries(outcomes)) {
        expect(outcome.status, id).toBe('COMPLETED');
        expect(outcome.output?.riskLevel, id).toBe('HIGH');
        expect(typeof outcome.output?.anomaliesFound, id).toBe('number');
      }
      expect(outcomes.parallel_screening?.output?.agent).toEqual(['zumbi', 'oxossi', 'bonifacio']);
      expect(outcomes.agency_map_reduce?.output?.ranking).toHaveLength(11);
      expect(outcomes.case_publication?.output?.publicationId).toMatch(/^publication-/);

      // An embargo in the future makes publishing fail; the saga detaches the report and withdraws the case.
      const embargoed = await orchestrator.executeWorkflow(
        'case_publication',
        { dataset: 'ifms', embargoUntil: '2999-01-01T00:00:00Z' },
        { wait: true },
      );
      expect(embargoed.status).toBe('COMPENSATED');
    } finally {
      await orchestrator.stop();
    }
  });
});
