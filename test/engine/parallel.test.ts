import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src/engine/definition.ts';
import type { JsonValue } from '../../src/engine/json.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd } from '../support/events.ts';
import { controlled, fail, hang, reply, TestAgent } from '../support/test-agent.ts';

const parallel = (steps: WorkflowDefinition['steps'], extra: Partial<WorkflowDefinition> = {}) => ({
  id: 'p',
  name: 'p',
  pattern: 'PARALLEL' as const,
  steps,
  ...extra,
});

describe('PARALLEL', () => {
  it('runs every step at once and outputs an object of outputs by step id', async () => {
    const agent = new TestAgent('w', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow(
      parallel(
        ['a', 'b', 'c'].map((id) => ({
          id,
          agent: 'w',
          action: 'run',
          inputMapping: { id: `input.ids.${id}` },
        })),
      ),
    );
    const run = await orchestrator.executeWorkflow('p', { ids: { a: 'A', b: 'B', c: 'C' } });
    await agent.waitForCalls(3);
    expect(agent.inFlight).toBe(3);
    for (const call of [...agent.calls].reverse()) call.resolve(`out ${call.payload.id}`);
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended).toMatchObject({ status: 'COMPLETED', output: { a: 'out A', b: 'out B', c: 'out C' } });
    expectWellFormedLog(await collectEvents(orchestrator, run.id));
  });

  it('respects maxConcurrency', async () => {
    const agent = new TestAgent('w', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow(
      parallel(
        ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, agent: 'w', action: 'run' })),
        { maxConcurrency: 2 },
      ),
    );
    const run = await orchestrator.executeWorkflow('p', {});
    for (let n = 0; n < 5; n++) {
      await agent.waitForCalls(Math.min(5, n + 2));
      expect(agent.inFlight).toBeLessThanOrEqual(2);
      agent.calls[n]?.resolve(n);
    }
    expect((await waitForEnd(orchestrator, run.id)).status).toBe('COMPLETED');
    expect(agent.maxInFlight).toBe(2);
    expect(agent.calls.map((c) => c.stepId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('failFast (the default): the first failure aborts the running siblings through their signal and skips the rest', async () => {
    const boom = new TestAgent('boom', { behaviours: { run: controlled() } });
    const slow = new TestAgent('slow', { behaviours: { run: hang() } });
    const never = new TestAgent('never');
    const { orchestrator } = await startEngine({ agents: [boom, slow, never] });
    await orchestrator.registerWorkflow(
      parallel(
        [
          { id: 'sibling', agent: 'slow', action: 'run' },
          { id: 'cause', agent: 'boom', action: 'run' },
          { id: 'later', agent: 'never', action: 'run' },
        ],
        { maxConcurrency: 2 },
      ),
    );
    const run = await orchestrator.executeWorkflow('p', {});
    await boom.waitForCalls(1);
    await slow.waitForCalls(1);
    boom.calls[0]?.reject(new Error('cause failed'));
    const ended = await waitForEnd(orchestrator, run.id);
    expect(slow.calls[0]?.signal.aborted).toBe(true);
    expect(slow.calls[0]?.signal.reason).toMatchObject({ kind: 'SIBLING_FAILED', stepId: 'cause' });
    expect(never.calls).toHaveLength(0);
    expect(ended.status).toBe('FAILED');
    // The cause comes first in the failure details.
    expect(ended.error?.details).toMatchObject({
      failures: [
        { stepId: 'cause', error: { kind: 'AGENT_FAILURE', message: 'agent "boom" failed: cause failed' } },
        { stepId: 'sibling' },
      ],
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:sibling',
      'STEP_STARTED:cause',
      'STEP_FAILED:cause',
      'STEP_SKIPPED:later',
      'STEP_FAILED:sibling',
      'RUN_FAILED',
    ]);
    expect(events[5]?.data).toMatchObject({
      status: 'CANCELLED',
      error: { kind: 'CANCELLED', message: 'cancelled because step "cause" failed' },
    });
    expect(events[4]?.data).toMatchObject({ reason: 'NOT_STARTED' });
    expect(events[4]?.message).toBe('step "later" not started: cancelled because step "cause" failed');
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.stepId, s.status])).toEqual([
      ['sibling', 'CANCELLED'],
      ['cause', 'FAILED'],
      ['later', 'SKIPPED'],
    ]);
  });

  it('without failFast runs every step, reports every result and every error, and never reports success', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply({ fine: true }) } });
    const bad = new TestAgent('bad', { behaviours: { run: fail(new Error('x')) } });
    const worse = new TestAgent('worse', { behaviours: { run: fail(new Error('y')) } });
    const { orchestrator } = await startEngine({ agents: [ok, bad, worse] });
    await orchestrator.registerWorkflow(
      parallel(
        [
          { id: 'one', agent: 'bad', action: 'run' },
          { id: 'two', agent: 'ok', action: 'run' },
          { id: 'three', agent: 'worse', action: 'run' },
        ],
        { failFast: false },
      ),
    );
    const run = await orchestrator.executeWorkflow('p', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.output).toEqual({ two: { fine: true } });
    expect(run.error).toEqual({
      kind: 'WORKFLOW_FAILURE',
      message: '2 steps failed: one (agent "bad" failed: x); three (agent "worse" failed: y)',
      details: {
        failures: [
          { stepId: 'one', error: { kind: 'AGENT_FAILURE', message: 'agent "bad" failed: x', agent: 'bad' } },
          {
            stepId: 'three',
            error: { kind: 'AGENT_FAILURE', message: 'agent "worse" failed: y', agent: 'worse' },
          },
        ],
      },
    });
  });

  it('a continueOnError step’s failure does not fail the run', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const bad = new TestAgent('bad', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [ok, bad] });
    await orchestrator.registerWorkflow(
      parallel([
        { id: 'one', agent: 'bad', action: 'run', continueOnError: true },
        { id: 'two', agent: 'ok', action: 'run' },
      ]),
    );
    const run = await orchestrator.executeWorkflow('p', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { two: 1 } });
  });

  it('skips a step whose condition is false', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const { orchestrator } = await startEngine({ agents: [ok] });
    await orchestrator.registerWorkflow(
      parallel([
        { id: 'one', agent: 'ok', action: 'run', condition: { path: 'input.deep', op: 'eq', value: true } },
        { id: 'two', agent: 'ok', action: 'run' },
      ]),
    );
    const run = await orchestrator.executeWorkflow('p', { deep: false }, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { two: 1 } });
    expect(summary(await collectEvents(orchestrator, run.id))).toEqual([
      'RUN_STARTED',
      'STEP_SKIPPED:one',
      'STEP_STARTED:two',
      'STEP_COMPLETED:two',
      'RUN_COMPLETED',
    ]);
  });

  it('merges the outputs with merge rules into data and the run output', async () => {
    const a = new TestAgent('a', {
      behaviours: {
        run: reply({ findings: ['f1'], anomaliesFound: 1, riskLevel: 'MEDIUM', score: 3, source: 'a' }),
      },
    });
    const b = new TestAgent('b', {
      behaviours: {
        run: reply({ findings: ['f2', 'f3'], anomaliesFound: 2, riskLevel: 'HIGH', score: 9, source: 'b' }),
      },
    });
    const c = new TestAgent('c', {
      behaviours: {
        run: reply({ findings: [], anomaliesFound: 0, riskLevel: 'LOW', score: 1, source: 'c' }),
      },
    });
    const { orchestrator } = await startEngine({ agents: [a, b, c] });
    await orchestrator.registerWorkflow(
      parallel(
        [
          { id: 'x', agent: 'a', action: 'run' },
          { id: 'y', agent: 'b', action: 'run' },
          { id: 'z', agent: 'c', action: 'run' },
        ],
        {
          merge: {
            strategy: 'MERGE',
            rules: {
              anomaliesFound: 'SUM',
              riskLevel: { rank: ['LOW', 'MEDIUM', 'HIGH'] },
              score: 'MIN',
              source: 'FIRST',
            },
            into: 'combined',
          },
          output: { merged: 'data.combined' },
        },
      ),
    );
    const run = await orchestrator.executeWorkflow('p', {}, { wait: true });
    expect(run.output).toEqual({
      merged: { findings: ['f1', 'f2', 'f3'], anomaliesFound: 3, riskLevel: 'HIGH', score: 1, source: 'a' },
    });
  });
});

describe('merge rules', () => {
  it('CONCAT, MAX, MIN, LAST and rank; non-numbers are ignored by MAX/MIN, non-objects by MERGE', async () => {
    const outputs: JsonValue[] = [
      { tags: 'x', v: 1, low: 'n/a', who: 'a', level: 'MEDIUM' },
      { tags: ['y', 'z'], v: 5, low: 4, who: 'b', level: 'UNKNOWN' },
      'not an object',
      { tags: ['w'], v: 'big', low: 2, who: 'd' },
    ];
    const agents = outputs.map((o, i) => new TestAgent(`a${i}`, { behaviours: { run: reply(o) } }));
    const { orchestrator } = await startEngine({ agents });
    const steps = agents.map((a, i) => ({ id: `s${i}`, agent: a.name, action: 'run' }));
    await orchestrator.registerWorkflow(
      parallel(steps, {
        merge: {
          strategy: 'MERGE',
          rules: {
            tags: 'CONCAT',
            v: 'MAX',
            low: 'MIN',
            who: 'LAST',
            level: { rank: ['LOW', 'MEDIUM', 'HIGH'] },
          },
        },
      }),
    );
    const run = await orchestrator.executeWorkflow('p', {}, { wait: true });
    expect(run.output).toEqual({ tags: ['x', 'y', 'z', 'w'], v: 5, low: 2, who: 'd', level: 'MEDIUM' });
    await orchestrator.registerWorkflow(
      parallel(steps, {
        id: 'c',
        merge: { strategy: 'COLLECT', into: 'all.of.them' },
        output: { all: 'data.all.of.them' },
      }),
    );
    const collected = await orchestrator.executeWorkflow('c', {}, { wait: true });
    expect(collected.output).toEqual({ all: outputs });
  });
});

describe('FAN_OUT_FAN_IN', () => {
  const branches = () => ({
    a: new TestAgent('a', { behaviours: { run: reply({ findings: ['a1'], total: 1, level: 'LOW' }) } }),
    b: new TestAgent('b', {
      behaviours: { run: reply({ findings: ['b1', 'b2'], total: 2, level: 'HIGH' }) },
    }),
    fan: new TestAgent('fan', { behaviours: { run: reply((p) => ({ saw: p })) } }),
  });

  it('the fan-in step receives every branch by step id and the merge', async () => {
    const agents = branches();
    const { orchestrator } = await startEngine({ agents: Object.values(agents) });
    await orchestrator.registerWorkflow({
      id: 'f',
      name: 'f',
      pattern: 'FAN_OUT_FAN_IN',
      merge: { strategy: 'MERGE', rules: { total: 'SUM', level: { rank: ['LOW', 'HIGH'] } } },
      steps: [
        {
          id: 'combine',
          agent: 'fan',
          action: 'run',
          fanIn: true,
          inputMapping: { branches: 'branches', merged: 'merged' },
        },
        { id: 'left', agent: 'a', action: 'run' },
        { id: 'right', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual({
      saw: {
        branches: {
          left: { findings: ['a1'], total: 1, level: 'LOW' },
          right: { findings: ['b1', 'b2'], total: 2, level: 'HIGH' },
        },
        merged: { findings: ['a1', 'b1', 'b2'], total: 3, level: 'HIGH' },
      },
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    // The fan-in step runs after both branches.
    expect(summary(events).slice(-3)).toEqual([
      'STEP_STARTED:combine',
      'STEP_COMPLETED:combine',
      'RUN_COMPLETED',
    ]);
  });

  it('without a fan-in step outputs the COLLECT merge (branch outputs in step order)', async () => {
    const agents = branches();
    const { orchestrator } = await startEngine({ agents: [agents.a, agents.b] });
    await orchestrator.registerWorkflow({
      id: 'f',
      name: 'f',
      pattern: 'FAN_OUT_FAN_IN',
      merge: { strategy: 'COLLECT' },
      steps: [
        { id: 'right', agent: 'b', action: 'run' },
        { id: 'left', agent: 'a', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
    expect(run.output).toEqual([
      { findings: ['b1', 'b2'], total: 2, level: 'HIGH' },
      { findings: ['a1'], total: 1, level: 'LOW' },
    ]);
  });

  it('MERGE without rules concatenates arrays and takes the last branch for other keys', async () => {
    const agents = branches();
    const { orchestrator } = await startEngine({ agents: [agents.a, agents.b] });
    await orchestrator.registerWorkflow({
      id: 'f',
      name: 'f',
      pattern: 'FAN_OUT_FAN_IN',
      merge: { strategy: 'MERGE' },
      steps: [
        { id: 'left', agent: 'a', action: 'run' },
        { id: 'right', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
    expect(run.output).toEqual({ findings: ['a1', 'b1', 'b2'], total: 2, level: 'HIGH' });
  });

  it('a failed branch fails the run before the fan-in step', async () => {
    const agents = branches();
    agents.b.on('run', fail(new Error('b broke')));
    const { orchestrator } = await startEngine({ agents: Object.values(agents) });
    await orchestrator.registerWorkflow({
      id: 'f',
      name: 'f',
      pattern: 'FAN_OUT_FAN_IN',
      failFast: false,
      steps: [
        { id: 'left', agent: 'a', action: 'run' },
        { id: 'right', agent: 'b', action: 'run' },
        { id: 'combine', agent: 'fan', action: 'run', fanIn: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatchObject({ kind: 'AGENT_FAILURE', message: 'agent "b" failed: b broke' });
    expect(agents.fan.calls).toHaveLength(0);
  });

  it('a failed fan-in step fails the run, unless it says continueOnError (then the merge is the output)', async () => {
    for (const continueOnError of [false, true]) {
      const agents = branches();
      agents.fan.on('run', fail(new Error('fan-in broke')));
      const { orchestrator } = await startEngine({ agents: Object.values(agents) });
      await orchestrator.registerWorkflow({
        id: 'f',
        name: 'f',
        pattern: 'FAN_OUT_FAN_IN',
        merge: { strategy: 'MERGE', rules: { total: 'MAX' } },
        steps: [
          { id: 'left', agent: 'a', action: 'run' },
          { id: 'right', agent: 'b', action: 'run' },
          { id: 'combine', agent: 'fan', action: 'run', fanIn: true, continueOnError },
        ],
      });
      const run = await orchestrator.executeWorkflow('f', {}, { wait: true });
      if (continueOnError) {
        expect(run).toMatchObject({
          status: 'COMPLETED',
          output: { findings: ['a1', 'b1', 'b2'], total: 2, level: 'HIGH' },
        });
      } else {
        expect(run).toMatchObject({
          status: 'FAILED',
          error: { message: 'agent "fan" failed: fan-in broke' },
        });
      }
    }
  });
});
