/**
 * "A page of 50 runs with their workflow, steps, agents and breakers costs a fixed number of
 * engine/store reads whatever the page size; a test counts them."
 *
 * The real SQLite store is seen through a counting proxy and the engine's read methods are spied on
 * (they still run). The same query for a page of 5 and a page of 50 runs must cost exactly the same
 * reads, and few of them.
 */

import { describe, expect, it, vi } from 'vitest';
import { RunsOverviewQuery, RunUpdatesSubscription } from '../../src/client/operations.ts';
import type { Orchestrator } from '../../src/engine/index.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { startRun } from './support/runs.ts';
import { connectWs, query, subscribeWs } from './support/transports.ts';

const ENGINE_READS = [
  'getRun',
  'getRuns',
  'listRuns',
  'countRuns',
  'getStepRuns',
  'getEvents',
  'getWorkflow',
  'getWorkflowVersions',
  'listWorkflows',
  'listWorkflowVersions',
  'listAgents',
  'describeAgent',
  'circuitBreaker',
  'circuitBreakers',
  'agentStatistics',
  'statistics',
] as const;

function spyOnReads(engine: Orchestrator): () => Record<string, number> {
  const spies = ENGINE_READS.map((name) => [name, vi.spyOn(engine, name)] as const);
  return () => {
    const counts: Record<string, number> = {};
    for (const [name, spy] of spies) {
      if (spy.mock.calls.length) counts[name] = spy.mock.calls.length;
      spy.mockClear();
    }
    return counts;
  };
}

describe('DataLoaders', () => {
  it('a page of 5 and a page of 50 runs with workflow, steps, agents and breakers cost the same reads', async () => {
    const h = await startHarness({
      agents: ['fetcher', 'scorer', 'reporter'].map((name) => new ScriptedAgent(name)),
      workflows: [
        {
          id: 'two-steps',
          name: 'Two steps',
          pattern: 'SEQUENTIAL',
          steps: [
            { id: 'fetch', agent: 'fetcher', action: 'run' },
            { id: 'score', agent: 'scorer', action: 'run' },
          ],
        },
        {
          id: 'one-step',
          name: 'One step',
          pattern: 'SEQUENTIAL',
          steps: [{ id: 'report', agent: 'reporter', action: 'run' }],
        },
      ],
    });
    for (let i = 0; i < 60; i++) {
      await h.engine.executeWorkflow(i % 2 === 0 ? 'two-steps' : 'one-step', { i }, { wait: true });
    }
    const engineReads = spyOnReads(h.engine);

    const cost = async (first: number) => {
      h.resetCounts();
      engineReads();
      const data = await query(h.gateway.url, RunsOverviewQuery, { first });
      expect(data.runs.edges).toHaveLength(first);
      expect(data.runs.totalCount).toBe(60);
      // The answer is complete: every run has its workflow, steps, agents and breakers.
      for (const { node } of data.runs.edges) {
        expect(node.workflow?.versions).toEqual([{ version: 1 }]);
        expect(node.workflow?.latestVersion).toBe(1);
        expect(node.steps.length).toBe(node.workflow?.workflowId === 'two-steps' ? 2 : 1);
        for (const step of node.steps) {
          expect(step.agent?.circuitBreaker).toEqual({ state: 'CLOSED', settings: { failureThreshold: 5 } });
          expect(step.agent?.performance.latency.p95Ms).toEqual(expect.any(Number));
        }
      }
      return { store: Object.fromEntries(h.storeCalls), engine: engineReads() };
    };

    const five = await cost(5);
    const fifty = await cost(50);
    expect(fifty).toEqual(five);
    // One read per kind of data, and one per distinct workflow or agent on the page.
    expect(five.store).toEqual({ listRuns: 1, countRuns: 1, getStepRuns: 1, listWorkflowVersions: 2 });
    expect(five.engine).toEqual({
      listRuns: 1,
      countRuns: 1,
      getStepRuns: 1,
      getWorkflowVersions: 2,
      listWorkflowVersions: 2,
      describeAgent: 3,
      circuitBreaker: 3,
      agentStatistics: 3,
    });
  });

  it('loaders live for one event of a subscription: each update sees the run as it is then', async () => {
    const worker = new ScriptedAgent('worker', { behaviour: held });
    const h = await startHarness({
      agents: [worker],
      workflows: [
        { id: 'w', name: 'W', pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'worker', action: 'run' }] },
      ],
    });
    const ws = connectWs(h.gateway.wsUrl);
    const { feed } = subscribeWs(ws, RunUpdatesSubscription, {});
    await h.bus.listeners('run.updates', 1);
    await startRun(h.gateway.url, 'w');
    const started = (await feed.next()).data?.runUpdates;
    expect([started?.status, started?.run.status]).toEqual(['RUNNING', 'RUNNING']);
    (await worker.call(1)).release({});
    const ended = (await feed.next()).data?.runUpdates;
    // Without emptying the loaders per event, `run` would still be the RUNNING record of the first event.
    expect([ended?.status, ended?.previousStatus, ended?.run.status]).toEqual([
      'COMPLETED',
      'RUNNING',
      'COMPLETED',
    ]);
    expect(ended?.runId).toBe(started?.runId);
    await ws.dispose();
  });
});
