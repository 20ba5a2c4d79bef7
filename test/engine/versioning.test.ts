import { describe, expect, it } from 'vitest';
import { startEngine } from '../support/engine.ts';
import { waitForEnd } from '../support/events.ts';
import { controlled, reply, TestAgent } from '../support/test-agent.ts';

const v1 = {
  id: 'inv',
  name: 'Investigation',
  pattern: 'SEQUENTIAL',
  steps: [{ id: 'detect', agent: 'a', action: 'one' }],
};
const v2 = { ...v1, steps: [{ id: 'detect', agent: 'a', action: 'two' }] };

const agent = () =>
  new TestAgent('a', { actions: ['one', 'two'], behaviours: { one: reply('v1 ran'), two: reply('v2 ran') } });

describe('workflow versioning', () => {
  it('registering an unchanged definition creates no new version (key order and a supplied version do not matter)', async () => {
    const { orchestrator } = await startEngine({ agents: [agent()] });
    const first = await orchestrator.registerWorkflow(v1);
    expect(first).toMatchObject({
      created: true,
      workflow: { id: 'inv', version: 1, definition: { ...v1, version: 1 } },
    });
    const reordered = {
      steps: v1.steps,
      pattern: 'SEQUENTIAL',
      name: 'Investigation',
      id: 'inv',
      version: 7,
    };
    const again = await orchestrator.registerWorkflow(reordered);
    expect(again.created).toBe(false);
    expect(again.workflow.version).toBe(1);
    expect(again.workflow.hash).toBe(first.workflow.hash);
    expect(await orchestrator.listWorkflowVersions('inv')).toHaveLength(1);
  });

  it('a changed definition creates v2; runs report the version they started with', async () => {
    const a = agent();
    a.on('one', controlled());
    const { orchestrator } = await startEngine({ agents: [a] });
    await orchestrator.registerWorkflow(v1);
    const before = await orchestrator.executeWorkflow('inv', {});
    expect(before.workflowVersion).toBe(1);
    const second = await orchestrator.registerWorkflow(v2);
    expect(second).toMatchObject({ created: true, workflow: { version: 2 } });
    const after = await orchestrator.executeWorkflow('inv', {}, { wait: true });
    expect(after).toMatchObject({ workflowVersion: 2, output: 'v2 ran' });
    // The run started on v1 keeps running v1's definition.
    await a.waitForCalls(1);
    a.calls[0]?.resolve('v1 ran');
    expect(await waitForEnd(orchestrator, before.id)).toMatchObject({ workflowVersion: 1, output: 'v1 ran' });
    expect((await orchestrator.listWorkflowVersions('inv')).map((w) => w.version)).toEqual([1, 2]);
    expect((await orchestrator.getWorkflow('inv'))?.version).toBe(2);
    expect((await orchestrator.getWorkflow('inv', 1))?.definition.steps[0]?.action).toBe('one');
    expect(await orchestrator.getWorkflow('inv', 3)).toBeNull();
  });

  it('executeWorkflow(id, input, { version: 1 }) runs an older version', async () => {
    const { orchestrator } = await startEngine({ agents: [agent()] });
    await orchestrator.registerWorkflow(v1);
    await orchestrator.registerWorkflow(v2);
    const old = await orchestrator.executeWorkflow('inv', {}, { version: 1, wait: true });
    expect(old).toMatchObject({ workflowVersion: 1, status: 'COMPLETED', output: 'v1 ran' });
    const latest = await orchestrator.executeWorkflow('inv', {}, { wait: true });
    expect(latest).toMatchObject({ workflowVersion: 2, output: 'v2 ran' });
    // Re-registering v1's definition is a change relative to v2: it becomes v3.
    expect((await orchestrator.registerWorkflow(v1)).workflow.version).toBe(3);
  });

  it('getWorkflowVersions resolves references in order, latest by default, from the cache when it can', async () => {
    const { orchestrator, store } = await startEngine({ agents: [agent()] });
    await orchestrator.registerWorkflow(v1);
    await orchestrator.registerWorkflow(v2);
    const reads = store.workflowReads;
    const found = await orchestrator.getWorkflowVersions([{ id: 'inv' }, { id: 'inv', version: 1 }]);
    expect(found.map((w) => [w?.id, w?.version, w?.definition.steps[0]?.action])).toEqual([
      ['inv', 2, 'two'],
      ['inv', 1, 'one'],
    ]);
    expect(store.workflowReads).toBe(reads);
    expect(await orchestrator.getWorkflowVersions([{ id: 'nope' }, { id: 'inv', version: 9 }])).toEqual([
      null,
      null,
    ]);
    // A version this engine has not cached is read once, then served from the cache.
    const other = await startEngine({ agents: [agent()], store: store.inner });
    const before = other.store.workflowReads;
    const [old] = await other.orchestrator.getWorkflowVersions([{ id: 'inv', version: 1 }]);
    expect(old).toEqual(await orchestrator.getWorkflow('inv', 1));
    await other.orchestrator.getWorkflowVersions([{ id: 'inv', version: 1 }]);
    expect(other.store.workflowReads).toBe(before + 1);
  });

  it('lists the latest version of each workflow, optionally by pattern', async () => {
    const { orchestrator } = await startEngine({ agents: [agent()] });
    await orchestrator.registerWorkflow(v1);
    await orchestrator.registerWorkflow(v2);
    await orchestrator.registerWorkflow({
      id: 'par',
      name: 'p',
      pattern: 'PARALLEL',
      steps: [{ id: 's', agent: 'a', action: 'one' }],
    });
    expect((await orchestrator.listWorkflows()).map((w) => [w.id, w.version])).toEqual([
      ['inv', 2],
      ['par', 1],
    ]);
    expect((await orchestrator.listWorkflows({ pattern: 'PARALLEL' })).map((w) => w.id)).toEqual(['par']);
  });

  it('triggers follow the latest version', async () => {
    const a = agent();
    const { orchestrator } = await startEngine({ agents: [a] });
    const ev = (trigger: string) => ({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger,
      steps: [{ id: 's', agent: 'a', action: 'one', on: trigger }],
    });
    await orchestrator.registerWorkflow(ev('old.event'));
    expect((await orchestrator.publishEvent('old.event', {})).runs).toHaveLength(1);
    await orchestrator.registerWorkflow(ev('new.event'));
    expect((await orchestrator.publishEvent('old.event', {})).runs).toEqual([]);
    const { runs } = await orchestrator.publishEvent('new.event', {});
    expect(runs.map((r) => r.workflowVersion)).toEqual([2]);
  });

  it('workflows given at start are registered once, and not again when unchanged', async () => {
    const first = await startEngine({ agents: [agent()], workflows: [v1] });
    expect((await first.orchestrator.listWorkflowVersions('inv')).map((w) => w.version)).toEqual([1]);
    const again = await startEngine({ agents: [agent()], workflows: [v1], store: first.store.inner });
    expect((await again.orchestrator.listWorkflowVersions('inv')).map((w) => w.version)).toEqual([1]);
    const changed = await startEngine({ agents: [agent()], workflows: [v2], store: first.store.inner });
    expect((await changed.orchestrator.listWorkflowVersions('inv')).map((w) => w.version)).toEqual([1, 2]);
  });
});
