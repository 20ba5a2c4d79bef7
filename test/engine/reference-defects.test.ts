/**
 * Every defect listed in /work/shared/reference/README.md, each proven gone.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CircuitBreakerTransition } from '../../src/engine/events.ts';
import { startEngine } from '../support/engine.ts';
import {
  collectEvents,
  drain,
  expectWellFormedLog,
  summary,
  waitForEnd,
  waitForType,
} from '../support/events.ts';
import { controlled, echo, fail, hang, reply, TestAgent } from '../support/test-agent.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('reference defect 1: CONDITIONAL and EVENT_DRIVEN are dispatched by executeWorkflow', () => {
  it('runs a CONDITIONAL workflow to completion along its routes', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply({ risk: 'HIGH' }) } });
    const b = new TestAgent('b', { behaviours: { run: reply('escalated') } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'cond',
      name: 'cond',
      pattern: 'CONDITIONAL',
      steps: [
        {
          id: 'assess',
          agent: 'a',
          action: 'run',
          next: {
            when: [
              { condition: { path: 'steps.assess.output.risk', op: 'eq', value: 'HIGH' }, next: 'escalate' },
            ],
          },
        },
        { id: 'escalate', agent: 'b', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('cond', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'escalated', pattern: 'CONDITIONAL' });
  });

  it('runs an EVENT_DRIVEN workflow to completion through its events', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply({ n: 1 }) } });
    const b = new TestAgent('b', { behaviours: { run: reply('final') } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'start',
      steps: [
        { id: 'first', agent: 'a', action: 'run', on: 'start', emit: 'first.done' },
        { id: 'last', agent: 'b', action: 'run', on: 'first.done', terminal: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'final', pattern: 'EVENT_DRIVEN' });
  });
});

describe('reference defect 2: the breaker guards process(), bounds half-open, and recovers after a day', () => {
  it('counts the agent’s own process() failures: 5 failed calls open it, the 6th never reaches the agent', async () => {
    const flaky = new TestAgent('flaky', { behaviours: { run: fail(new Error('boom')) } });
    const { orchestrator } = await startEngine({ agents: [flaky] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'flaky', action: 'run' }],
    });
    const transitions = orchestrator.breakerTransitions('flaky');
    for (let i = 0; i < 5; i++) {
      const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
      expect(run.error?.kind).toBe('AGENT_FAILURE');
    }
    expect(orchestrator.circuitBreaker('flaky')).toMatchObject({
      state: 'OPEN',
      failureCount: 5,
      lastFailure: 'boom',
    });
    const sixth = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(sixth.error).toEqual({
      kind: 'CIRCUIT_OPEN',
      message: 'the circuit breaker of agent "flaky" is open; the call was not made',
      agent: 'flaky',
    });
    expect(flaky.calls).toHaveLength(5);
    const first = await transitions.next();
    expect(first.value).toMatchObject({
      agent: 'flaky',
      from: 'CLOSED',
      to: 'OPEN',
      failureCount: 5,
      reason: 'boom (after 5 consecutive failures)',
    });
    await transitions.return();
  });

  it('half-open admits 3 trial calls; the others wait for the decision, then run once it closes', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('svc', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++)
      await expect(orchestrator.executeAgent({ agent: 'svc', action: 'run', input: {} })).rejects.toThrow();
    expect(orchestrator.circuitBreaker('svc').state).toBe('OPEN');
    const transitions: CircuitBreakerTransition[] = [];
    const stream = orchestrator.breakerTransitions('svc');
    const reading = (async () => {
      for await (const t of stream) transitions.push(t);
    })();

    await vi.advanceTimersByTimeAsync(60_000);
    agent.on('run', controlled());
    const calls = Array.from({ length: 6 }, (_, i) =>
      orchestrator.executeAgent({ agent: 'svc', action: 'run', input: { i } }),
    );
    // The three trials reach the agent at once; the other three wait for the half-open decision.
    expect(agent.calls).toHaveLength(8);
    expect(agent.inFlight).toBe(3);
    expect(orchestrator.circuitBreaker('svc').state).toBe('HALF_OPEN');
    agent.calls[5]?.resolve('trial 1');
    await expect(calls[0]).resolves.toMatchObject({ output: 'trial 1' });
    expect(agent.calls).toHaveLength(8);
    agent.calls[6]?.resolve('trial 2');
    agent.calls[7]?.resolve('trial 3');
    await Promise.all([calls[1], calls[2]]);
    await agent.waitForCalls(11);
    expect(orchestrator.circuitBreaker('svc').state).toBe('CLOSED');
    expect(agent.calls.slice(8).map((c) => c.payload.i)).toEqual([3, 4, 5]);
    for (const call of agent.calls.slice(8)) call.resolve('after');
    await Promise.all(calls);
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['OPEN->HALF_OPEN', 'HALF_OPEN->CLOSED']);
    expect(transitions[0]?.reason).toBe('60000 ms elapsed; admitting up to 3 trial calls');
    expect(transitions[1]).toMatchObject({ failureCount: 0, reason: '3 trial calls succeeded' });
    await stream.return();
    await reading;
  });

  it('a failed trial reopens the breaker and the waiting calls are refused (counted)', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('svc', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++)
      await expect(orchestrator.executeAgent({ agent: 'svc', action: 'run', input: {} })).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(60_000);
    agent.on('run', controlled());
    const calls = Array.from({ length: 5 }, () =>
      orchestrator.executeAgent({ agent: 'svc', action: 'run', input: {} }).then(
        () => 'ok',
        (e: { kind: string }) => e.kind,
      ),
    );
    expect(agent.inFlight).toBe(3);
    agent.calls[5]?.reject(new Error('still broken'));
    expect(await calls[0]).toBe('AGENT_FAILURE');
    expect(orchestrator.circuitBreaker('svc').state).toBe('OPEN');
    // The two waiting calls were refused without reaching the agent.
    expect(await calls[3]).toBe('CIRCUIT_OPEN');
    expect(await calls[4]).toBe('CIRCUIT_OPEN');
    expect(agent.calls).toHaveLength(8);
    agent.calls[6]?.resolve('late');
    agent.calls[7]?.resolve('late');
    await Promise.all(calls);
    expect(orchestrator.circuitBreaker('svc').state).toBe('OPEN');
  });

  it('recovers after 1 day + 10 s of open time (the reference compared timedelta.seconds, which wraps at a day)', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('svc', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++)
      await expect(orchestrator.executeAgent({ agent: 'svc', action: 'run', input: {} })).rejects.toThrow();
    expect(orchestrator.circuitBreaker('svc').state).toBe('OPEN');
    await vi.advanceTimersByTimeAsync(86_400_000 + 10_000);
    agent.on('run', echo());
    for (let i = 0; i < 3; i++) {
      await expect(
        orchestrator.executeAgent({ agent: 'svc', action: 'run', input: {} }),
      ).resolves.toMatchObject({
        agent: 'svc',
      });
    }
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'CLOSED', failureCount: 0 });
    expect(agent.calls).toHaveLength(8);
  });
});

describe('reference defect 3: step retry is honoured and run-time configuration changes behaviour', () => {
  it('a step’s retry overrides the engine default', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 's', agent: 'a', action: 'run', retry: { maxAttempts: 4, initialDelayMs: 10, jitter: false } },
      ],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(10 + 20 + 40);
    expect((await ended).status).toBe('FAILED');
    expect(agent.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('configureRetryPolicy changes the attempts of steps without their own retry', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    expect((await orchestrator.executeWorkflow('w', {}, { wait: true })).status).toBe('FAILED');
    expect(agent.calls).toHaveLength(1);
    expect(
      orchestrator.configureRetryPolicy({ maxAttempts: 3, jitter: false, initialDelayMs: 100 }),
    ).toMatchObject({
      maxAttempts: 3,
      initialDelayMs: 100,
      multiplier: 2,
    });
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = waitForType(orchestrator, run.id, 'RUN_FAILED');
    await vi.advanceTimersByTimeAsync(300);
    await ended;
    expect(agent.calls).toHaveLength(4);
  });

  it('configureCircuitBreaker changes when the breaker opens', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    expect(orchestrator.configureCircuitBreaker('a', { failureThreshold: 2 })).toEqual({
      failureThreshold: 2,
      halfOpenAfterMs: 60_000,
      successThreshold: 3,
    });
    for (let i = 0; i < 2; i++)
      await expect(orchestrator.executeAgent({ agent: 'a', action: 'run', input: {} })).rejects.toThrow();
    expect(orchestrator.circuitBreaker('a')).toMatchObject({ state: 'OPEN', failureCount: 2 });
    await expect(orchestrator.executeAgent({ agent: 'a', action: 'run', input: {} })).rejects.toMatchObject({
      kind: 'CIRCUIT_OPEN',
    });
    expect(agent.calls).toHaveLength(2);
  });
});

describe('reference defect 4: parallel errors are not swallowed', () => {
  for (const pattern of ['PARALLEL', 'FAN_OUT_FAN_IN'] as const) {
    it(`${pattern}: a failed branch fails the run and its error is reported`, async () => {
      const ok = new TestAgent('ok', { behaviours: { run: reply({ x: 1 }) } });
      const bad = new TestAgent('bad', { behaviours: { run: fail(new Error('branch exploded')) } });
      const { orchestrator } = await startEngine({ agents: [ok, bad] });
      await orchestrator.registerWorkflow({
        id: 'p',
        name: 'p',
        pattern,
        failFast: false,
        ...(pattern === 'FAN_OUT_FAN_IN' ? { merge: { strategy: 'MERGE' } } : {}),
        steps: [
          { id: 'good', agent: 'ok', action: 'run' },
          { id: 'broken', agent: 'bad', action: 'run' },
        ],
      });
      const run = await orchestrator.executeWorkflow('p', {}, { wait: true });
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatchObject({
        kind: 'AGENT_FAILURE',
        message: 'agent "bad" failed: branch exploded',
        details: { failures: [{ stepId: 'broken', error: { kind: 'AGENT_FAILURE' } }] },
      });
      const events = await collectEvents(orchestrator, run.id);
      expect(events.at(-1)?.type).toBe('RUN_FAILED');
    });
  }
});

describe('reference defect 5: a saga compensates through executeWorkflow and completes only after its last step', () => {
  it('runs every step before completing', async () => {
    const agent = new TestAgent('bank', {
      actions: ['debit', 'credit', 'notify', 'undo'],
      behaviours: { debit: reply('d'), credit: reply('c'), notify: reply('n') },
    });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'saga',
      name: 'saga',
      pattern: 'SAGA',
      steps: [
        { id: 'debit', agent: 'bank', action: 'debit', compensation: { action: 'undo' } },
        { id: 'credit', agent: 'bank', action: 'credit', compensation: { action: 'undo' } },
        { id: 'notify', agent: 'bank', action: 'notify' },
      ],
    });
    const run = await orchestrator.executeWorkflow('saga', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'n' });
    expect(agent.calls.map((c) => c.action)).toEqual(['debit', 'credit', 'notify']);
  });

  it('compensates the completed steps in reverse order when a later one fails', async () => {
    const agent = new TestAgent('bank', {
      actions: ['debit', 'credit', 'notify', 'undo'],
      behaviours: {
        debit: reply({ tx: 1 }),
        credit: reply({ tx: 2 }),
        notify: fail(new Error('mail down')),
        undo: reply((p) => ({ undone: p.output })),
      },
    });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'saga',
      name: 'saga',
      pattern: 'SAGA',
      steps: [
        { id: 'debit', agent: 'bank', action: 'debit', compensation: { action: 'undo' } },
        { id: 'credit', agent: 'bank', action: 'credit', compensation: { action: 'undo' } },
        { id: 'notify', agent: 'bank', action: 'notify' },
      ],
    });
    const run = await orchestrator.executeWorkflow('saga', {}, { wait: true });
    expect(run.status).toBe('COMPENSATED');
    expect(agent.callsOf('undo').map((c) => c.payload.output)).toEqual([{ tx: 2 }, { tx: 1 }]);
  });
});

describe('reference defect 6: the detection step’s outputMapping feeds the analysis condition', () => {
  const investigation = {
    id: 'default_investigation',
    name: 'Default investigation',
    pattern: 'SEQUENTIAL',
    steps: [
      {
        id: 'detect',
        agent: 'zumbi',
        action: 'detect_anomalies',
        outputMapping: { anomaliesFound: 'anomaliesFound', findings: 'findings' },
      },
      {
        id: 'analyze',
        agent: 'anita',
        action: 'analyze_patterns',
        condition: { path: 'data.anomaliesFound', op: 'gt', value: 0 },
        inputMapping: { findings: 'data.findings' },
        outputMapping: { patterns: 'patterns' },
      },
      { id: 'report', agent: 'tiradentes', action: 'generate_report' },
    ],
  };
  const agents = (anomalies: number) => ({
    zumbi: new TestAgent('zumbi', {
      actions: ['detect_anomalies'],
      behaviours: {
        detect_anomalies: reply({
          anomaliesFound: anomalies,
          findings: Array.from({ length: anomalies }, (_, i) => `f${i}`),
        }),
      },
    }),
    anita: new TestAgent('anita', {
      actions: ['analyze_patterns'],
      behaviours: { analyze_patterns: reply((p) => ({ patterns: (p.findings as string[]).length })) },
    }),
    tiradentes: new TestAgent('tiradentes', {
      actions: ['generate_report'],
      behaviours: { generate_report: reply((p) => p) },
    }),
  });

  it('runs the analysis when anomalies > 0, with the detector’s findings', async () => {
    const a = agents(2);
    const { orchestrator } = await startEngine({ agents: Object.values(a), workflows: [investigation] });
    const run = await orchestrator.executeWorkflow('default_investigation', { dataset: 'x' }, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(a.anita.calls[0]?.payload).toEqual({ findings: ['f0', 'f1'] });
    expect(run.output).toEqual({ dataset: 'x', anomaliesFound: 2, findings: ['f0', 'f1'], patterns: 2 });
    expect(summary(await collectEvents(orchestrator, run.id))).toContain('STEP_COMPLETED:analyze');
  });

  it('skips the analysis (STEP_SKIPPED) when no anomaly was found, and still reports', async () => {
    const a = agents(0);
    const { orchestrator } = await startEngine({ agents: Object.values(a), workflows: [investigation] });
    const run = await orchestrator.executeWorkflow('default_investigation', {}, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(a.anita.calls).toHaveLength(0);
    expect(a.tiradentes.calls).toHaveLength(1);
    expect(summary(await collectEvents(orchestrator, run.id))).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:detect',
      'STEP_COMPLETED:detect',
      'STEP_SKIPPED:analyze',
      'STEP_STARTED:report',
      'STEP_COMPLETED:report',
      'RUN_COMPLETED',
    ]);
  });
});

describe('reference defect 7: map-reduce maps concurrently and finds map/reduce by flag', () => {
  it('runs items concurrently up to map.concurrency, after a prepare step, with results in item order', async () => {
    const prep = new TestAgent('prep', { behaviours: { run: reply({ list: [0, 1, 2, 3, 4, 5, 6] }) } });
    const mapper = new TestAgent('mapper', { behaviours: { run: controlled() } });
    const reducer = new TestAgent('reducer', { behaviours: { run: reply((p) => p.results ?? null) } });
    const { orchestrator } = await startEngine({ agents: [prep, mapper, reducer] });
    await orchestrator.registerWorkflow({
      id: 'mr',
      name: 'mr',
      pattern: 'MAP_REDUCE',
      steps: [
        { id: 'prepare', agent: 'prep', action: 'run', outputMapping: { items: 'list' } },
        { id: 'square', agent: 'mapper', action: 'run', map: { items: 'data.items', concurrency: 3 } },
        { id: 'sum', agent: 'reducer', action: 'run', reduce: true, inputMapping: { results: 'results' } },
      ],
    });
    const run = await orchestrator.executeWorkflow('mr', {});
    await mapper.waitForCalls(3);
    expect(mapper.inFlight).toBe(3);
    // Finish items out of order: the last started first.
    for (let done = 0; done < 7; done++) {
      const open = mapper.calls.filter((c) => !c.settled);
      const last = open[open.length - 1]!;
      const item = last.payload.item as number;
      last.resolve(item * item);
      await mapper.waitForSettled(done + 1);
      if (done + 3 < 7) await mapper.waitForCalls(done + 4);
      expect(mapper.inFlight).toBeLessThanOrEqual(3);
    }
    const ended = await waitForEnd(orchestrator, run.id);
    expect(mapper.maxInFlight).toBe(3);
    expect(ended.status).toBe('COMPLETED');
    expect(ended.output).toEqual([0, 1, 4, 9, 16, 25, 36]);
    expect(prep.calls).toHaveLength(1);
  });
});

describe('reference defect 8: the workflow timeout is enforced and a run can be cancelled', () => {
  it('a workflow timeout ends the run TIMED_OUT and aborts the agent’s signal', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      timeoutMs: 5_000,
      steps: [{ id: 's', agent: 'slow', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = waitForType(orchestrator, run.id, 'RUN_TIMED_OUT');
    await vi.advanceTimersByTimeAsync(4_999);
    expect((await orchestrator.getRun(run.id))?.status).toBe('RUNNING');
    await vi.advanceTimersByTimeAsync(1);
    const terminal = await ended;
    expect(terminal.data).toMatchObject({
      status: 'TIMED_OUT',
      error: { kind: 'TIMEOUT', message: 'the workflow timeout of 5000 ms passed' },
    });
    expect(agent.calls[0]?.signal.aborted).toBe(true);
    expect((await orchestrator.getRun(run.id))?.status).toBe('TIMED_OUT');
  });

  it('cancelRun ends a running run CANCELLED and aborts the agent’s signal', async () => {
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'slow', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    await agent.waitForCalls(1);
    const ended = await orchestrator.cancelRun(run.id, 'operator said stop');
    expect(ended).toMatchObject({
      status: 'CANCELLED',
      error: { kind: 'CANCELLED', message: 'operator said stop' },
    });
    expect(agent.calls[0]?.signal.aborted).toBe(true);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:s', 'STEP_FAILED:s', 'RUN_CANCELLED']);
    expect(events[2]?.data).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('reference defect 9: bounded statistics, queryable history, catch-up for late subscribers', () => {
  it('the statistics snapshot does not grow with the number of runs (10 000 runs)', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('a', { behaviours: { run: reply(1) } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    const size = () => JSON.stringify(orchestrator.statistics()).length;
    const runBatch = async (n: number) => {
      for (let i = 0; i < n; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, n - i) }, () =>
            orchestrator.executeWorkflow('w', {}, { wait: true }),
          ),
        );
        await vi.advanceTimersByTimeAsync(1);
      }
    };
    await runBatch(1_000);
    const after1k = size();
    await runBatch(9_000);
    const after10k = size();
    const stats = orchestrator.statistics();
    expect(stats.runs.total).toBe(10_000);
    expect(stats.agents[0]?.calls).toBe(10_000);
    // Only digits of counters may grow; nothing proportional to the number of runs.
    expect(after10k - after1k).toBeLessThan(64);
  }, 60_000);

  it('a run is queryable after it ended: record, steps and events', async () => {
    const agent = new TestAgent('a', { behaviours: { run: reply({ ok: true }) } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', { q: 1 }, { wait: true });
    expect(orchestrator.runningRuns).toBe(0);
    expect(await orchestrator.getRun(run.id)).toEqual(run);
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps).toMatchObject([
      { stepId: 's', status: 'COMPLETED', agent: 'a', output: { ok: true }, attempts: 1 },
    ]);
    expect((await orchestrator.getEvents(run.id)).map((e) => e.type)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED',
      'STEP_COMPLETED',
      'RUN_COMPLETED',
    ]);
    const page = await orchestrator.listRuns({
      filter: { workflowId: 'w' },
      orderBy: 'STARTED_AT_DESC',
      first: 10,
    });
    expect(page.runs.map((r) => r.id)).toEqual([run.id]);
  });

  it('a subscriber joining late with afterSeq catches up and then follows live', async () => {
    const agent = new TestAgent('a', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'one', agent: 'a', action: 'run' },
        { id: 'two', agent: 'a', action: 'run' },
      ],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    await agent.waitForCalls(1);
    agent.calls[0]?.resolve(1);
    await waitForType(orchestrator, run.id, 'STEP_STARTED', 'two');
    // Seen 1..2 before a disconnect; reconnect from seq 2.
    const stream = await orchestrator.runEvents(run.id, 2);
    agent.calls[1]?.resolve(2);
    const rest = await drain(stream);
    expect(rest.map((e) => [e.seq, e.type, e.stepId])).toEqual([
      [3, 'STEP_COMPLETED', 'one'],
      [4, 'STEP_STARTED', 'two'],
      [5, 'STEP_COMPLETED', 'two'],
      [6, 'RUN_COMPLETED', null],
    ]);
  });
});

describe('reference defect 10: one message contract end to end ({action, payload} -> {result})', () => {
  it('agents receive exactly {action, payload} with their context', async () => {
    const agent = new TestAgent('a', { actions: ['detect_anomalies'] });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        {
          id: 'detect',
          agent: 'a',
          action: 'detect_anomalies',
          inputMapping: { contracts: 'input.contracts' },
        },
      ],
    });
    const run = await orchestrator.executeWorkflow(
      'w',
      { contracts: [{ id: 1 }], other: true },
      { wait: true },
    );
    const call = agent.calls[0]!;
    expect(call.message).toStrictEqual({ action: 'detect_anomalies', payload: { contracts: [{ id: 1 }] } });
    expect([call.runId, call.stepId, call.attempt, call.signal instanceof AbortSignal]).toEqual([
      run.id,
      'detect',
      1,
      true,
    ]);
    // The step output is the reply's `result`.
    expect(run.output).toEqual({ action: 'detect_anomalies', payload: { contracts: [{ id: 1 }] } });
  });

  it('a reply without "result" is a typed AGENT_FAILURE that counts against the breaker', async () => {
    const agent = new TestAgent('legacy', {
      behaviours: { run: () => ({ status: 'success', data: { x: 1 } }) as never },
    });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'legacy', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({
      kind: 'AGENT_FAILURE',
      message: 'agent "legacy" replied without a "result"',
      agent: 'legacy',
    });
    expect(orchestrator.circuitBreaker('legacy').failureCount).toBe(1);
    await expect(
      orchestrator.executeAgent({ agent: 'legacy', action: 'run', input: {} }),
    ).rejects.toMatchObject({
      kind: 'AGENT_FAILURE',
      message: 'agent "legacy" replied without a "result"',
    });
  });
});
