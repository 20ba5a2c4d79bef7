import { describe, expect, it } from 'vitest';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary } from '../support/events.ts';
import { fail, hang, reply, TestAgent } from '../support/test-agent.ts';

describe('SEQUENTIAL', () => {
  it('runs steps in order, threads outputMapping into data, and outputs the last step', async () => {
    const detector = new TestAgent('detector', {
      actions: ['detect'],
      behaviours: { detect: reply({ anomalies: { count: 3 }, items: ['a', 'b'] }) },
    });
    const reporter = new TestAgent('reporter', {
      actions: ['report'],
      behaviours: { report: reply((payload) => ({ report: `found ${payload.count}` })) },
    });
    const { orchestrator } = await startEngine({ agents: [detector, reporter] });
    await orchestrator.registerWorkflow({
      id: 'seq',
      name: 'seq',
      pattern: 'SEQUENTIAL',
      steps: [
        {
          id: 'detect',
          agent: 'detector',
          action: 'detect',
          outputMapping: { 'found.count': 'anomalies.count' },
        },
        { id: 'report', agent: 'reporter', action: 'report', inputMapping: { count: 'data.found.count' } },
      ],
    });
    const run = await orchestrator.executeWorkflow('seq', { region: 'MS' }, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual({ report: 'found 3' });
    expect(run.error).toBeNull();
    // Without inputMapping the payload is the input merged with data.
    expect(detector.calls[0]?.payload).toEqual({ region: 'MS' });
    expect(reporter.calls[0]?.payload).toEqual({ count: 3 });

    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:detect',
      'STEP_COMPLETED:detect',
      'STEP_STARTED:report',
      'STEP_COMPLETED:report',
      'RUN_COMPLETED',
    ]);
    expect(events[2]?.data).toMatchObject({ execution: 1, attempts: 1, output: { anomalies: { count: 3 } } });
    expect(events.at(-1)?.data).toMatchObject({ status: 'COMPLETED', output: { report: 'found 3' } });
  });

  it('skips a step whose condition is false with STEP_SKIPPED and goes on', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply({ n: 0 }) } });
    const b = new TestAgent('b');
    const c = new TestAgent('c', { behaviours: { run: reply('done') } });
    const { orchestrator } = await startEngine({ agents: [a, b, c] });
    await orchestrator.registerWorkflow({
      id: 'skip',
      name: 'skip',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'first', agent: 'a', action: 'run', outputMapping: { n: 'n' } },
        { id: 'second', agent: 'b', action: 'run', condition: { path: 'data.n', op: 'gt', value: 0 } },
        { id: 'third', agent: 'c', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('skip', {}, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toBe('done');
    expect(b.calls).toHaveLength(0);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:first',
      'STEP_COMPLETED:first',
      'STEP_SKIPPED:second',
      'STEP_STARTED:third',
      'STEP_COMPLETED:third',
      'RUN_COMPLETED',
    ]);
    expect(events[3]?.data).toEqual({
      execution: 2,
      itemIndex: null,
      reason: 'CONDITION_FALSE',
      condition: { path: 'data.n', op: 'gt', value: 0 },
    });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.stepId, s.status])).toEqual([
      ['first', 'COMPLETED'],
      ['second', 'SKIPPED'],
      ['third', 'COMPLETED'],
    ]);
  });

  it('fails the run at the first failed step and runs nothing after it', async () => {
    const a = new TestAgent('a', { behaviours: { run: fail(new Error('detector crashed')) } });
    const b = new TestAgent('b');
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'f',
      name: 'f',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'one', agent: 'a', action: 'run' },
        { id: 'two', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({
      kind: 'AGENT_FAILURE',
      message: 'agent "a" failed: detector crashed',
      agent: 'a',
    });
    expect(b.calls).toHaveLength(0);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:one', 'STEP_FAILED:one', 'RUN_FAILED']);
    expect(events[2]?.data).toMatchObject({ status: 'FAILED', attempts: 1, continueOnError: false });
  });

  it('goes on after a failed step that says continueOnError, and completes', async () => {
    const a = new TestAgent('a', { behaviours: { run: fail() } });
    const b = new TestAgent('b', { behaviours: { run: reply('b ran') } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'coe',
      name: 'coe',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'one', agent: 'a', action: 'run', continueOnError: true },
        { id: 'two', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('coe', {}, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toBe('b ran');
    const events = await collectEvents(orchestrator, run.id);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:one',
      'STEP_FAILED:one',
      'STEP_STARTED:two',
      'STEP_COMPLETED:two',
      'RUN_COMPLETED',
    ]);
    expect(events[2]?.data).toMatchObject({ continueOnError: true });
  });

  it('shapes the run output with the workflow "output" mapping over input, data and steps', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply({ score: 7, level: 'HIGH' }) } });
    const { orchestrator } = await startEngine({ agents: [a] });
    await orchestrator.registerWorkflow({
      id: 'out',
      name: 'out',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 'one', agent: 'a', action: 'run', outputMapping: { level: 'level' } }],
      output: {
        who: 'input.who',
        level: 'data.level',
        score: 'steps.one.output.score',
        missing: 'data.nope',
      },
    });
    const run = await orchestrator.executeWorkflow('out', { who: 'me' }, { wait: true });
    expect(run.output).toEqual({ who: 'me', level: 'HIGH', score: 7 });
  });

  it('rejects an input that is not a JSON object, and an unknown workflow or version', async () => {
    const { orchestrator } = await startEngine({ agents: [new TestAgent('a')] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 'one', agent: 'a', action: 'run' }],
    });
    await expect(orchestrator.executeWorkflow('w', [1, 2])).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ path: 'input', message: 'must be a JSON object' }],
    });
    await expect(orchestrator.executeWorkflow('nope', {})).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'workflow "nope" does not exist',
    });
    await expect(orchestrator.executeWorkflow('w', {}, { version: 9 })).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'workflow "w@9" does not exist',
    });
  });
});

describe('SEQUENTIAL cancellation', () => {
  it('starts no further step once cancelled, even after a continueOnError step', async () => {
    const a = new TestAgent('a', { behaviours: { run: hang() } });
    const b = new TestAgent('b');
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'one', agent: 'a', action: 'run', continueOnError: true },
        { id: 'two', agent: 'b', action: 'run' },
        { id: 'three', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    await a.waitForCalls(1);
    expect((await orchestrator.cancelRun(run.id)).status).toBe('CANCELLED');
    expect(b.calls).toHaveLength(0);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:one', 'STEP_FAILED:one', 'RUN_CANCELLED']);
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.stepId, s.status])).toEqual([['one', 'CANCELLED']]);
  });
});
