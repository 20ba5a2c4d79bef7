import { describe, expect, it } from 'vitest';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary } from '../support/events.ts';
import { fail, hang, reply, TestAgent } from '../support/test-agent.ts';

const agents = () => ({
  assess: new TestAgent('assess', {
    behaviours: { run: reply((p) => ({ risk: p.risk ?? 'LOW', score: p.score ?? 0 })) },
  }),
  deep: new TestAgent('deep', { behaviours: { run: reply('deep audit') } }),
  quick: new TestAgent('quick', { behaviours: { run: reply('quick check') } }),
  fallback: new TestAgent('other', { behaviours: { run: reply('otherwise') } }),
});

const routed = {
  id: 'c',
  name: 'c',
  pattern: 'CONDITIONAL',
  steps: [
    {
      id: 'assess',
      agent: 'assess',
      action: 'run',
      next: {
        when: [
          { condition: { path: 'steps.assess.output.risk', op: 'eq', value: 'HIGH' }, next: 'deep' },
          { condition: { path: 'steps.assess.output.score', op: 'gte', value: 5 }, next: 'quick' },
        ],
        otherwise: 'other',
      },
    },
    { id: 'deep', agent: 'deep', action: 'run' },
    { id: 'quick', agent: 'quick', action: 'run' },
    { id: 'other', agent: 'other', action: 'run' },
  ],
};

describe('CONDITIONAL', () => {
  it('takes the first route whose condition holds', async () => {
    const a = agents();
    const { orchestrator } = await startEngine({ agents: Object.values(a), workflows: [routed] });
    // Both routes hold; the first one listed wins.
    const run = await orchestrator.executeWorkflow('c', { risk: 'HIGH', score: 9 }, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'deep audit' });
    expect(a.quick.calls).toHaveLength(0);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:assess',
      'STEP_COMPLETED:assess',
      'STEP_STARTED:deep',
      'STEP_COMPLETED:deep',
      'RUN_COMPLETED',
    ]);
  });

  it('takes the second route, or otherwise', async () => {
    const a = agents();
    const { orchestrator } = await startEngine({ agents: Object.values(a), workflows: [routed] });
    expect((await orchestrator.executeWorkflow('c', { score: 5 }, { wait: true })).output).toBe(
      'quick check',
    );
    expect((await orchestrator.executeWorkflow('c', { score: 4 }, { wait: true })).output).toBe('otherwise');
  });

  it('ends when no route matches and there is no otherwise; output is the last completed step’s', async () => {
    const a = agents();
    const { orchestrator } = await startEngine({ agents: Object.values(a) });
    await orchestrator.registerWorkflow({
      id: 'c',
      name: 'c',
      pattern: 'CONDITIONAL',
      start: 'assess',
      steps: [
        { id: 'deep', agent: 'deep', action: 'run' },
        {
          id: 'assess',
          agent: 'assess',
          action: 'run',
          next: {
            when: [
              { condition: { path: 'steps.assess.output.risk', op: 'eq', value: 'HIGH' }, next: 'deep' },
            ],
          },
        },
      ],
    });
    const run = await orchestrator.executeWorkflow('c', { risk: 'LOW', score: 1 }, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { risk: 'LOW', score: 1 } });
    expect(a.deep.calls).toHaveLength(0);
  });

  it('follows a plain next, and routes on data written by outputMapping', async () => {
    const a = agents();
    const { orchestrator } = await startEngine({ agents: Object.values(a) });
    await orchestrator.registerWorkflow({
      id: 'c',
      name: 'c',
      pattern: 'CONDITIONAL',
      steps: [
        { id: 'first', agent: 'assess', action: 'run', next: 'second', outputMapping: { level: 'risk' } },
        {
          id: 'second',
          agent: 'quick',
          action: 'run',
          next: {
            when: [
              { condition: { path: 'data.level', op: 'in', value: ['HIGH', 'CRITICAL'] }, next: 'third' },
            ],
          },
        },
        { id: 'third', agent: 'deep', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('c', { risk: 'CRITICAL' }, { wait: true });
    expect(run.output).toBe('deep audit');
    expect(a.assess.calls).toHaveLength(1);
  });

  it('loops until a condition holds, executing the step again each time', async () => {
    let polls = 0;
    const poller = new TestAgent('poller', {
      behaviours: { run: reply(() => ({ ready: ++polls >= 3, polls })) },
    });
    const done = new TestAgent('done', { behaviours: { run: reply('finished') } });
    const { orchestrator } = await startEngine({ agents: [poller, done] });
    await orchestrator.registerWorkflow({
      id: 'loop',
      name: 'loop',
      pattern: 'CONDITIONAL',
      steps: [
        {
          id: 'poll',
          agent: 'poller',
          action: 'run',
          next: {
            when: [{ condition: { path: 'steps.poll.output.ready', op: 'eq', value: true }, next: 'finish' }],
            otherwise: 'poll',
          },
        },
        { id: 'finish', agent: 'done', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('loop', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'finished' });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.execution, s.stepId])).toEqual([
      [1, 'poll'],
      [2, 'poll'],
      [3, 'poll'],
      [4, 'finish'],
    ]);
    expectWellFormedLog(await collectEvents(orchestrator, run.id));
  });

  it('maxSteps stops a loop that never exits with a clear error', async () => {
    const ping = new TestAgent('ping', { behaviours: { run: reply({ ready: false }) } });
    const pong = new TestAgent('pong', { behaviours: { run: reply({ ready: false }) } });
    const { orchestrator } = await startEngine({ agents: [ping, pong] });
    await orchestrator.registerWorkflow({
      id: 'loop',
      name: 'loop',
      pattern: 'CONDITIONAL',
      maxSteps: 5,
      steps: [
        { id: 'ping', agent: 'ping', action: 'run', next: 'pong' },
        {
          id: 'pong',
          agent: 'pong',
          action: 'run',
          next: {
            when: [{ condition: { path: 'steps.pong.output.ready', op: 'eq', value: true }, next: 'end' }],
            otherwise: 'ping',
          },
        },
        { id: 'end', agent: 'ping', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('loop', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({
      kind: 'WORKFLOW_FAILURE',
      message:
        'stopped after 5 step executions (maxSteps); the route loops: ping → pong → ping → pong → ping',
    });
    expect(ping.calls.length + pong.calls.length).toBe(5);
    expect(run.output).toEqual({ ready: false });
  });

  it('a failed step fails the run; with continueOnError the route goes on', async () => {
    for (const continueOnError of [false, true]) {
      const broken = new TestAgent('broken', { behaviours: { run: fail(new Error('nope')) } });
      const after = new TestAgent('after', { behaviours: { run: reply('after') } });
      const { orchestrator } = await startEngine({ agents: [broken, after] });
      await orchestrator.registerWorkflow({
        id: 'c',
        name: 'c',
        pattern: 'CONDITIONAL',
        steps: [
          {
            id: 'first',
            agent: 'broken',
            action: 'run',
            continueOnError,
            next: {
              when: [
                { condition: { path: 'steps.first.status', op: 'eq', value: 'FAILED' }, next: 'recover' },
              ],
            },
          },
          { id: 'recover', agent: 'after', action: 'run' },
        ],
      });
      const run = await orchestrator.executeWorkflow('c', {}, { wait: true });
      if (continueOnError) expect(run).toMatchObject({ status: 'COMPLETED', output: 'after' });
      else expect(run).toMatchObject({ status: 'FAILED', error: { message: 'agent "broken" failed: nope' } });
    }
  });

  it('stops at once when cancelled mid-route', async () => {
    const a = new TestAgent('a', { behaviours: { run: hang() } });
    const b = new TestAgent('b');
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'c',
      name: 'c',
      pattern: 'CONDITIONAL',
      steps: [
        { id: 'first', agent: 'a', action: 'run', next: 'second', continueOnError: true },
        { id: 'second', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('c', {});
    await a.waitForCalls(1);
    expect((await orchestrator.cancelRun(run.id)).status).toBe('CANCELLED');
    expect(b.calls).toHaveLength(0);
    expect(summary(await collectEvents(orchestrator, run.id))).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:first',
      'STEP_FAILED:first',
      'RUN_CANCELLED',
    ]);
  });
});
