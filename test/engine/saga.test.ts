import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd, waitForType } from '../support/events.ts';
import { fail, hang, reply, TestAgent } from '../support/test-agent.ts';

afterEach(() => {
  vi.useRealTimers();
});

function bank() {
  return new TestAgent('bank', {
    actions: ['reserve', 'charge', 'ship', 'release', 'refund'],
    behaviours: {
      reserve: reply({ reservation: 'R1' }),
      charge: reply({ payment: 'P1' }),
      ship: fail(new Error('no courier')),
      release: reply((p) => ({ released: p })),
      refund: reply((p) => ({ refunded: p })),
    },
  });
}

const saga = (overrides: Record<string, unknown> = {}) => ({
  id: 'order',
  name: 'order',
  pattern: 'SAGA',
  steps: [
    { id: 'reserve', agent: 'bank', action: 'reserve', compensation: { action: 'release' } },
    { id: 'note', agent: 'bank', action: 'reserve' },
    { id: 'charge', agent: 'bank', action: 'charge', compensation: { action: 'refund' } },
    { id: 'ship', agent: 'bank', action: 'ship' },
  ],
  ...overrides,
});

describe('SAGA', () => {
  it('compensates completed steps in reverse order, each receiving its step’s output; ends COMPENSATED', async () => {
    const agent = bank();
    const { orchestrator } = await startEngine({ agents: [agent], workflows: [saga()] });
    const run = await orchestrator.executeWorkflow('order', { order: 7 }, { wait: true });
    expect(run.status).toBe('COMPENSATED');
    expect(agent.calls.map((c) => `${c.stepId}.${c.action}`)).toEqual([
      'reserve.reserve',
      'note.reserve',
      'charge.charge',
      'ship.ship',
      'charge.refund',
      'reserve.release',
    ]);
    // Default compensation payload: the step's output plus the run's input and data.
    expect(agent.callsOf('refund')[0]?.payload).toEqual({ order: 7, output: { payment: 'P1' } });
    expect(agent.callsOf('release')[0]?.payload).toEqual({ order: 7, output: { reservation: 'R1' } });
    expect(run.error).toEqual({
      kind: 'AGENT_FAILURE',
      agent: 'bank',
      message: 'step "ship" failed (agent "bank" failed: no courier); 2 step(s) compensated',
      details: {
        failedStep: 'ship',
        cause: { kind: 'AGENT_FAILURE', message: 'agent "bank" failed: no courier', agent: 'bank' },
        compensated: ['charge', 'reserve'],
        compensationFailures: [],
      },
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:reserve',
      'STEP_COMPLETED:reserve',
      'STEP_STARTED:note',
      'STEP_COMPLETED:note',
      'STEP_STARTED:charge',
      'STEP_COMPLETED:charge',
      'STEP_STARTED:ship',
      'STEP_FAILED:ship',
      'COMPENSATION_STARTED:charge',
      'COMPENSATION_COMPLETED:charge',
      'COMPENSATION_STARTED:reserve',
      'COMPENSATION_COMPLETED:reserve',
      'RUN_COMPENSATED',
    ]);
    expect(events[9]?.data).toEqual({ execution: 5, compensates: 3, action: 'refund' });
    expect(events[10]?.data).toMatchObject({
      execution: 5,
      compensates: 3,
      output: { refunded: { order: 7, output: { payment: 'P1' } } },
    });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.execution, s.stepId, s.action, s.status])).toEqual([
      [1, 'reserve', 'reserve', 'COMPENSATED'],
      [2, 'note', 'reserve', 'COMPLETED'],
      [3, 'charge', 'charge', 'COMPENSATED'],
      [4, 'ship', 'ship', 'FAILED'],
      [5, 'charge', 'refund', 'COMPLETED'],
      [6, 'reserve', 'release', 'COMPLETED'],
    ]);
  });

  it('ends FAILED listing every compensation failure, and still tries every compensation', async () => {
    const agent = bank();
    agent.on('refund', fail(new Error('refund api down')));
    agent.on('release', fail(new Error('inventory locked')));
    const { orchestrator } = await startEngine({ agents: [agent], workflows: [saga()] });
    const run = await orchestrator.executeWorkflow('order', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({
      kind: 'WORKFLOW_FAILURE',
      message:
        'step "ship" failed (agent "bank" failed: no courier) and 2 compensation(s) failed: charge (agent "bank" failed: refund api down); reserve (agent "bank" failed: inventory locked)',
      details: {
        failedStep: 'ship',
        cause: { kind: 'AGENT_FAILURE', message: 'agent "bank" failed: no courier', agent: 'bank' },
        compensated: [],
        compensationFailures: [
          {
            stepId: 'charge',
            error: { kind: 'AGENT_FAILURE', message: 'agent "bank" failed: refund api down', agent: 'bank' },
          },
          {
            stepId: 'reserve',
            error: { kind: 'AGENT_FAILURE', message: 'agent "bank" failed: inventory locked', agent: 'bank' },
          },
        ],
      },
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events).slice(-5)).toEqual([
      'COMPENSATION_STARTED:charge',
      'COMPENSATION_FAILED:charge',
      'COMPENSATION_STARTED:reserve',
      'COMPENSATION_FAILED:reserve',
      'RUN_FAILED',
    ]);
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.filter((s) => s.status === 'COMPENSATION_FAILED').map((s) => s.stepId)).toEqual([
      'reserve',
      'charge',
    ]);
  });

  it('compensates after a cancel: the run ends CANCELLED and says what was undone', async () => {
    const agent = bank();
    agent.on('ship', hang());
    const { orchestrator } = await startEngine({ agents: [agent], workflows: [saga()] });
    const run = await orchestrator.executeWorkflow('order', {});
    await waitForType(orchestrator, run.id, 'STEP_STARTED', 'ship');
    const ended = await orchestrator.cancelRun(run.id, 'customer cancelled');
    expect(ended.status).toBe('CANCELLED');
    expect(ended.error).toMatchObject({
      kind: 'CANCELLED',
      message: 'customer cancelled',
      details: { failedStep: 'ship', compensated: ['charge', 'reserve'], compensationFailures: [] },
    });
    expect(agent.callsOf('refund')).toHaveLength(1);
    expect(agent.callsOf('release')).toHaveLength(1);
    expect(summary(await collectEvents(orchestrator, run.id)).slice(-6)).toEqual([
      'STEP_FAILED:ship',
      'COMPENSATION_STARTED:charge',
      'COMPENSATION_COMPLETED:charge',
      'COMPENSATION_STARTED:reserve',
      'COMPENSATION_COMPLETED:reserve',
      'RUN_CANCELLED',
    ]);
  });

  it('compensates after a workflow timeout: the run ends TIMED_OUT', async () => {
    vi.useFakeTimers();
    const agent = bank();
    agent.on('ship', hang());
    const { orchestrator } = await startEngine({ agents: [agent], workflows: [saga({ timeoutMs: 1_000 })] });
    const run = await orchestrator.executeWorkflow('order', {});
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await ended).toMatchObject({
      status: 'TIMED_OUT',
      error: { kind: 'TIMEOUT', details: { compensated: ['charge', 'reserve'] } },
    });
  });

  it('uses the compensation’s own agent, input mapping and timeout', async () => {
    vi.useFakeTimers();
    const agent = bank();
    const ledger = new TestAgent('ledger', { actions: ['void'], behaviours: { void: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent, ledger] });
    await orchestrator.registerWorkflow({
      id: 'order',
      name: 'order',
      pattern: 'SAGA',
      steps: [
        {
          id: 'charge',
          agent: 'bank',
          action: 'charge',
          compensation: {
            action: 'void',
            agent: 'ledger',
            inputMapping: { payment: 'output.payment', who: 'input.who' },
            timeoutMs: 250,
          },
        },
        { id: 'ship', agent: 'bank', action: 'ship' },
      ],
    });
    const run = await orchestrator.executeWorkflow('order', { who: 'ana' });
    const ended = waitForEnd(orchestrator, run.id);
    await ledger.waitForCalls(1);
    expect(ledger.calls[0]?.payload).toEqual({ payment: 'P1', who: 'ana' });
    await vi.advanceTimersByTimeAsync(250);
    const record = await ended;
    expect(record.status).toBe('FAILED');
    expect(record.error?.details).toMatchObject({
      compensationFailures: [
        {
          stepId: 'charge',
          error: { kind: 'TIMEOUT', message: 'agent "ledger" did not answer within 250 ms' },
        },
      ],
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events).slice(-4)).toEqual([
      'COMPENSATION_STARTED:charge',
      'STEP_TIMED_OUT:charge',
      'COMPENSATION_FAILED:charge',
      'RUN_FAILED',
    ]);
    // The compensation's own timeout, not the step's.
    expect(events.at(-3)).toMatchObject({
      agent: 'ledger',
      attempt: 1,
      message: 'agent "ledger" did not answer within 250 ms',
      data: { execution: 3, timeoutMs: 250 },
    });
  });

  it('completes when every step succeeds, with the last step’s output; a false condition skips a step', async () => {
    const agent = bank();
    agent.on('ship', reply({ tracking: 'T9' }));
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow(
      saga({
        steps: [
          { id: 'reserve', agent: 'bank', action: 'reserve', compensation: { action: 'release' } },
          {
            id: 'charge',
            agent: 'bank',
            action: 'charge',
            condition: { path: 'input.paid', op: 'ne', value: true },
          },
          { id: 'ship', agent: 'bank', action: 'ship' },
        ],
      }),
    );
    const run = await orchestrator.executeWorkflow('order', { paid: true }, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { tracking: 'T9' } });
    expect(agent.callsOf('charge')).toHaveLength(0);
    expect(agent.callsOf('release')).toHaveLength(0);
  });

  it('a failed first step needs no compensation and ends COMPENSATED with nothing undone', async () => {
    const agent = bank();
    agent.on('reserve', fail(new Error('sold out')));
    const { orchestrator } = await startEngine({ agents: [agent], workflows: [saga()] });
    const run = await orchestrator.executeWorkflow('order', {}, { wait: true });
    expect(run.status).toBe('COMPENSATED');
    expect(run.error?.details).toMatchObject({ failedStep: 'reserve', compensated: [] });
  });
});
