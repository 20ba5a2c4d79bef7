import { describe, expect, it } from 'vitest';
import type { StepDefinition } from '../../src/engine/definition.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd } from '../support/events.ts';
import { controlled, fail, reply, TestAgent } from '../support/test-agent.ts';

const mapReduce = (map: StepDefinition['map'], reduce: Partial<StepDefinition> = {}) => ({
  id: 'mr',
  name: 'mr',
  pattern: 'MAP_REDUCE',
  steps: [
    { id: 'each', agent: 'mapper', action: 'run', map },
    { id: 'total', agent: 'reducer', action: 'run', reduce: true, ...reduce },
  ],
});

const reducer = () =>
  new TestAgent('reducer', {
    behaviours: { run: reply((p) => ({ results: p.results ?? null, failures: p.failures ?? null })) },
  });

describe('MAP_REDUCE', () => {
  it('keeps results in item order although items finish out of order; each item gets item and index', async () => {
    const mapper = new TestAgent('mapper', { behaviours: { run: controlled() } });
    const r = reducer();
    const { orchestrator } = await startEngine({
      agents: [mapper, r],
      workflows: [mapReduce({ items: 'input.list' })],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: ['a', 'b', 'c', 'd'] });
    await mapper.waitForCalls(4);
    expect(mapper.calls.map((c) => c.payload)).toEqual([
      { list: ['a', 'b', 'c', 'd'], item: 'a', index: 0 },
      { list: ['a', 'b', 'c', 'd'], item: 'b', index: 1 },
      { list: ['a', 'b', 'c', 'd'], item: 'c', index: 2 },
      { list: ['a', 'b', 'c', 'd'], item: 'd', index: 3 },
    ]);
    for (const i of [2, 0, 3, 1]) {
      const call = mapper.calls[i]!;
      call.resolve((call.payload.item as string).toUpperCase());
      await mapper.waitForSettled([2, 0, 3, 1].indexOf(i) + 1);
    }
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended).toMatchObject({
      status: 'COMPLETED',
      output: { results: ['A', 'B', 'C', 'D'], failures: [] },
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    const started = events.filter((e) => e.type === 'STEP_STARTED' && e.stepId === 'each');
    expect(started.map((e) => e.data?.itemIndex)).toEqual([0, 1, 2, 3]);
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.stepId, s.itemIndex, s.output])).toEqual([
      ['each', 0, 'A'],
      ['each', 1, 'B'],
      ['each', 2, 'C'],
      ['each', 3, 'D'],
      ['total', null, { results: ['A', 'B', 'C', 'D'], failures: [] }],
    ]);
  });

  it('groups items by groupBy, in order of first appearance, each item { key, items }', async () => {
    const mapper = new TestAgent('mapper', {
      behaviours: {
        run: reply((p) => ({
          key: (p.item as { key: string }).key,
          n: (p.item as { items: unknown[] }).items.length,
        })),
      },
    });
    const { orchestrator } = await startEngine({
      agents: [mapper, reducer()],
      workflows: [mapReduce({ items: 'input.contracts', groupBy: 'agency' })],
    });
    const contracts = [
      { id: 1, agency: 'UFMS' },
      { id: 2, agency: 'IFMS' },
      { id: 3, agency: 'UFMS' },
      { id: 4 },
    ];
    const run = await orchestrator.executeWorkflow('mr', { contracts }, { wait: true });
    expect(mapper.calls.map((c) => c.payload.item)).toEqual([
      { key: 'UFMS', items: [contracts[0], contracts[2]] },
      { key: 'IFMS', items: [contracts[1]] },
      { key: null, items: [contracts[3]] },
    ]);
    expect(run.output).toMatchObject({
      results: [
        { key: 'UFMS', n: 2 },
        { key: 'IFMS', n: 1 },
        { key: null, n: 1 },
      ],
    });
  });

  it('FAIL (default): the first failed item aborts the items in flight, starts no more, and fails the run', async () => {
    const mapper = new TestAgent('mapper', { behaviours: { run: controlled() } });
    const r = reducer();
    const { orchestrator } = await startEngine({
      agents: [mapper, r],
      workflows: [mapReduce({ items: 'input.list', concurrency: 2 })],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: [1, 2, 3, 4, 5] });
    await mapper.waitForCalls(2);
    mapper.calls[1]?.reject(new Error('item 1 is corrupt'));
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toEqual({
      kind: 'AGENT_FAILURE',
      message: 'agent "mapper" failed: item 1 is corrupt',
      agent: 'mapper',
      details: {
        failures: [
          {
            stepId: 'each',
            itemIndex: 1,
            error: {
              kind: 'AGENT_FAILURE',
              message: 'agent "mapper" failed: item 1 is corrupt',
              agent: 'mapper',
            },
          },
        ],
      },
    });
    expect(mapper.calls).toHaveLength(2);
    expect(mapper.calls[0]?.signal.aborted).toBe(true);
    expect(r.calls).toHaveLength(0);
    expectWellFormedLog(await collectEvents(orchestrator, run.id));
  });

  it('SKIP: failed items are left out of the reduce, which gets them in "failures"', async () => {
    const mapper = new TestAgent('mapper', {
      behaviours: {
        run: (call) => {
          if ((call.payload.item as number) % 2 === 1) throw new Error(`odd ${call.payload.item}`);
          return { result: (call.payload.item as number) * 10 };
        },
      },
    });
    const { orchestrator } = await startEngine({
      agents: [mapper, reducer()],
      workflows: [mapReduce({ items: 'input.list', onItemFailure: 'SKIP', concurrency: 1 })],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: [0, 1, 2, 3, 4] }, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual({
      results: [0, 20, 40],
      failures: [
        {
          index: 1,
          error: { kind: 'AGENT_FAILURE', message: 'agent "mapper" failed: odd 1', agent: 'mapper' },
        },
        {
          index: 3,
          error: { kind: 'AGENT_FAILURE', message: 'agent "mapper" failed: odd 3', agent: 'mapper' },
        },
      ],
    });
    expect(mapper.calls).toHaveLength(5);
  });

  it('fails with INVALID_INPUT when the items path is not a list, or missing', async () => {
    const mapper = new TestAgent('mapper');
    const { orchestrator } = await startEngine({
      agents: [mapper, reducer()],
      workflows: [mapReduce({ items: 'input.list' })],
    });
    const notList = await orchestrator.executeWorkflow('mr', { list: { a: 1 } }, { wait: true });
    expect(notList).toMatchObject({
      status: 'FAILED',
      error: {
        kind: 'INVALID_INPUT',
        message: 'the map step "each" maps over "input.list", which is not a list (object)',
      },
    });
    const missing = await orchestrator.executeWorkflow('mr', {}, { wait: true });
    expect(missing.error).toEqual({
      kind: 'INVALID_INPUT',
      message: 'the map step "each" maps over "input.list", which is missing',
    });
    expect(mapper.calls).toHaveLength(0);
    expect(summary(await collectEvents(orchestrator, missing.id))).toEqual(['RUN_STARTED', 'RUN_FAILED']);
  });

  it('an empty list goes straight to the reduce with no results', async () => {
    const mapper = new TestAgent('mapper');
    const { orchestrator } = await startEngine({
      agents: [mapper, reducer()],
      workflows: [mapReduce({ items: 'input.list' }, { inputMapping: { results: 'results' } })],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: [] }, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { results: [], failures: null } });
    expect(mapper.calls).toHaveLength(0);
  });

  it('a failed step before the map fails the run; a failed reduce fails the run', async () => {
    const prep = new TestAgent('prep', { behaviours: { run: fail(new Error('cannot load')) } });
    const mapper = new TestAgent('mapper');
    const r = reducer();
    const { orchestrator } = await startEngine({ agents: [prep, mapper, r] });
    await orchestrator.registerWorkflow({
      id: 'mr',
      name: 'mr',
      pattern: 'MAP_REDUCE',
      steps: [
        { id: 'load', agent: 'prep', action: 'run' },
        { id: 'each', agent: 'mapper', action: 'run', map: { items: 'input.list' } },
        { id: 'total', agent: 'reducer', action: 'run', reduce: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: [1] }, { wait: true });
    expect(run.error?.message).toBe('agent "prep" failed: cannot load');
    expect(mapper.calls).toHaveLength(0);
    prep.on('run', reply({}));
    r.on('run', fail(new Error('reduce broke')));
    const second = await orchestrator.executeWorkflow('mr', { list: [1] }, { wait: true });
    expect(second).toMatchObject({
      status: 'FAILED',
      error: { message: 'agent "reducer" failed: reduce broke' },
    });
  });

  it('cancelling during the map phase aborts the items and ends CANCELLED without a reduce', async () => {
    const mapper = new TestAgent('mapper', { behaviours: { run: controlled() } });
    const r = reducer();
    const { orchestrator } = await startEngine({
      agents: [mapper, r],
      workflows: [mapReduce({ items: 'input.list', onItemFailure: 'SKIP', concurrency: 2 })],
    });
    const run = await orchestrator.executeWorkflow('mr', { list: [1, 2, 3] });
    await mapper.waitForCalls(2);
    const ended = await orchestrator.cancelRun(run.id);
    expect(ended.status).toBe('CANCELLED');
    expect(mapper.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(mapper.calls).toHaveLength(2);
    expect(r.calls).toHaveLength(0);
  });
});
