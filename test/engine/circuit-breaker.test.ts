import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CircuitBreakerTransition } from '../../src/engine/events.ts';
import type { Orchestrator } from '../../src/engine/orchestrator.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd } from '../support/events.ts';
import { echo, fail, hang, invalidInput, reply, TestAgent } from '../support/test-agent.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const call = (orchestrator: Orchestrator, agent: string, input: object = {}) =>
  orchestrator.executeAgent({ agent, action: 'run', input }).then(
    () => 'ok',
    (e: { kind?: string }) => e.kind ?? 'thrown',
  );

/** Collects every transition published while the test runs. */
function record(orchestrator: Orchestrator, agent?: string) {
  const transitions: CircuitBreakerTransition[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const stream = orchestrator.breakerTransitions(agent);
  const done = (async () => {
    for await (const t of stream) {
      transitions.push(t);
      for (const w of waiters.filter((w) => transitions.length >= w.count)) w.resolve();
    }
  })();
  return {
    transitions,
    /** Resolves once `count` transitions have arrived. */
    waitFor: (count: number) =>
      transitions.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    stop: async () => {
      await stream.return();
      await done;
    },
  };
}

describe('circuit breaker: opening', () => {
  it('opens after 5 consecutive failures and publishes the transition with agent, from, to, at, count, reason', async () => {
    const agent = new TestAgent('svc', { behaviours: { run: fail(new Error('db unreachable')) } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    const log = record(orchestrator);
    for (let i = 0; i < 4; i++) expect(await call(orchestrator, 'svc')).toBe('AGENT_FAILURE');
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'CLOSED', failureCount: 4 });
    expect(log.transitions).toEqual([]);
    expect(await call(orchestrator, 'svc')).toBe('AGENT_FAILURE');
    await log.waitFor(1);
    expect(log.transitions).toEqual([
      {
        agent: 'svc',
        from: 'CLOSED',
        to: 'OPEN',
        at: Date.parse('2025-01-01T00:00:00Z'),
        failureCount: 5,
        reason: 'db unreachable (after 5 consecutive failures)',
      },
    ]);
    expect(orchestrator.circuitBreaker('svc')).toEqual({
      agent: 'svc',
      state: 'OPEN',
      failureCount: 5,
      openedAt: Date.parse('2025-01-01T00:00:00Z'),
      halfOpenAt: Date.parse('2025-01-01T00:01:00Z'),
      lastFailure: 'db unreachable',
      lastTransitionAt: Date.parse('2025-01-01T00:00:00Z'),
      settings: { failureThreshold: 5, halfOpenAfterMs: 60_000, successThreshold: 3 },
    });
    await log.stop();
  });

  it('counts consecutive failures only: a success in between starts the count again', async () => {
    const agent = new TestAgent('svc', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 4; i++) await call(orchestrator, 'svc');
    agent.on('run', echo());
    expect(await call(orchestrator, 'svc')).toBe('ok');
    expect(orchestrator.circuitBreaker('svc').failureCount).toBe(0);
    agent.on('run', fail());
    for (let i = 0; i < 4; i++) await call(orchestrator, 'svc');
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'CLOSED', failureCount: 4 });
  });

  it('counts step timeouts against the agent', async () => {
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++) {
      const pending = orchestrator
        .executeAgent({ agent: 'slow', action: 'run', input: {}, timeoutMs: 100 })
        .catch((e) => e);
      await vi.advanceTimersByTimeAsync(100);
      expect(await pending).toMatchObject({ kind: 'TIMEOUT' });
    }
    expect(orchestrator.circuitBreaker('slow')).toMatchObject({
      state: 'OPEN',
      lastFailure: 'agent "slow" did not answer within 100 ms',
    });
  });

  it('does not count input errors (AgentError INVALID_INPUT) or unsupported actions', async () => {
    const agent = new TestAgent('picky', {
      behaviours: { run: fail(invalidInput('contracts: expected a list')) },
    });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 8; i++) {
      await expect(
        orchestrator.executeAgent({ agent: 'picky', action: 'run', input: {} }),
      ).rejects.toMatchObject({
        kind: 'INVALID_INPUT',
        message: 'contracts: expected a list',
        agent: 'picky',
      });
    }
    for (let i = 0; i < 8; i++) {
      await expect(
        orchestrator.executeAgent({ agent: 'picky', action: 'nope', input: {} }),
      ).rejects.toMatchObject({
        kind: 'ACTION_NOT_SUPPORTED',
        message: 'agent "picky" has no action "nope" (it offers: run)',
      });
    }
    expect(agent.calls).toHaveLength(8);
    expect(orchestrator.circuitBreaker('picky')).toMatchObject({ state: 'CLOSED', failureCount: 0 });
    expect(orchestrator.agentStatistics('picky')).toMatchObject({ calls: 0, failed: 0 });
  });

  it('does not count cancellations (cancelled runs, workflow timeouts)', async () => {
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      timeoutMs: 1_000,
      steps: [{ id: 's', agent: 'slow', action: 'run' }],
    });
    for (let i = 0; i < 6; i++) {
      const run = await orchestrator.executeWorkflow('w', {});
      await agent.waitForCalls(i + 1);
      if (i % 2 === 0) expect((await orchestrator.cancelRun(run.id)).status).toBe('CANCELLED');
      else {
        const ended = waitForEnd(orchestrator, run.id);
        await vi.advanceTimersByTimeAsync(1_000);
        expect((await ended).status).toBe('TIMED_OUT');
      }
    }
    expect(orchestrator.circuitBreaker('slow')).toMatchObject({ state: 'CLOSED', failureCount: 0 });
  });

  it('an open breaker sends a step to its fallback agent at once, without waiting for retries', async () => {
    const primary = new TestAgent('primary', { behaviours: { run: fail() } });
    const backup = new TestAgent('backup', { behaviours: { run: reply('from backup') } });
    const { orchestrator } = await startEngine({ agents: [primary, backup] });
    for (let i = 0; i < 5; i++) await call(orchestrator, 'primary');
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        {
          id: 's',
          agent: 'primary',
          action: 'run',
          fallbackAgent: 'backup',
          retry: { maxAttempts: 5, initialDelayMs: 10_000, jitter: false },
        },
      ],
    });
    // No timer is advanced: a retry wait would hang this run.
    const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'from backup' });
    expect(primary.calls).toHaveLength(5);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:s',
      'STEP_FALLBACK:s',
      'STEP_COMPLETED:s',
      'RUN_COMPLETED',
    ]);
    expect(events[2]).toMatchObject({
      agent: 'backup',
      attempt: 2,
      data: { from: 'primary', to: 'backup', error: { kind: 'CIRCUIT_OPEN' } },
    });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(
      steps?.[0]?.attemptLog.map((a) => [a.attempt, a.agent, a.fallback, a.error?.kind ?? null]),
    ).toEqual([
      [1, 'primary', false, 'CIRCUIT_OPEN'],
      [2, 'backup', true, null],
    ]);
    expect(steps?.[0]?.agent).toBe('backup');
  });
});

describe('circuit breaker and retries', () => {
  it('stops a retry series as soon as the breaker opens and goes to the fallback without waiting', async () => {
    const primary = new TestAgent('primary', { behaviours: { run: fail(new Error('down')) } });
    const backup = new TestAgent('backup', { behaviours: { run: reply('backup') } });
    const { orchestrator } = await startEngine({
      agents: [primary, backup],
      circuitBreaker: { failureThreshold: 3 },
    });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [
        {
          id: 's',
          agent: 'primary',
          action: 'run',
          fallbackAgent: 'backup',
          retry: { maxAttempts: 10, initialDelayMs: 100, jitter: false, multiplier: 1 },
        },
      ],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(300);
    expect(await ended).toMatchObject({ status: 'COMPLETED', output: 'backup' });
    expect(primary.calls).toHaveLength(3);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(
      events
        .slice(1, -1)
        .map((e) => [e.type, e.attempt, e.data?.error ? (e.data.error as { kind: string }).kind : null]),
    ).toEqual([
      ['STEP_STARTED', 1, null],
      ['STEP_RETRYING', 2, 'AGENT_FAILURE'],
      ['STEP_RETRYING', 3, 'AGENT_FAILURE'],
      ['STEP_RETRYING', 4, 'AGENT_FAILURE'],
      ['STEP_FALLBACK', 5, 'CIRCUIT_OPEN'],
      ['STEP_COMPLETED', 5, null],
    ]);
  });

  it('a threshold lowered at run time applies at the next failure, with its transition', async () => {
    const agent = new TestAgent('svc', { behaviours: { run: fail(new Error('x')) } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    const log = record(orchestrator, 'svc');
    for (let i = 0; i < 3; i++) await call(orchestrator, 'svc');
    orchestrator.configureCircuitBreaker('svc', { failureThreshold: 2 });
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'CLOSED', failureCount: 3 });
    await call(orchestrator, 'svc');
    await log.waitFor(1);
    expect(log.transitions).toMatchObject([
      { from: 'CLOSED', to: 'OPEN', failureCount: 4, reason: 'x (after 4 consecutive failures)' },
    ]);
    await log.stop();
  });
});

describe('circuit breaker: half-open and recovery', () => {
  async function openBreaker(orchestrator: Orchestrator, agent: TestAgent) {
    agent.on('run', fail(new Error('down')));
    for (let i = 0; i < 5; i++) await call(orchestrator, agent.name);
    expect(orchestrator.circuitBreaker(agent.name).state).toBe('OPEN');
  }

  it('refuses calls for 60 s, then admits trial calls; closes after 3 successful trials', async () => {
    const agent = new TestAgent('svc');
    const { orchestrator } = await startEngine({ agents: [agent] });
    await openBreaker(orchestrator, agent);
    const log = record(orchestrator, 'svc');
    agent.on('run', echo());
    await vi.advanceTimersByTimeAsync(59_999);
    expect(orchestrator.selectBestAgent([], 'run')).toBeNull();
    expect(await call(orchestrator, 'svc')).toBe('CIRCUIT_OPEN');
    expect(agent.calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call(orchestrator, 'svc')).toBe('ok');
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'HALF_OPEN', halfOpenAt: null });
    expect(await call(orchestrator, 'svc')).toBe('ok');
    expect(orchestrator.circuitBreaker('svc').state).toBe('HALF_OPEN');
    expect(await call(orchestrator, 'svc')).toBe('ok');
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({
      state: 'CLOSED',
      failureCount: 0,
      openedAt: null,
    });
    await log.waitFor(2);
    expect(log.transitions.map((t) => [t.from, t.to, t.at - Date.parse('2025-01-01T00:00:00Z')])).toEqual([
      ['OPEN', 'HALF_OPEN', 60_000],
      ['HALF_OPEN', 'CLOSED', 60_000],
    ]);
    await log.stop();
  });

  it('reopens on a failed trial, and waits another 60 s', async () => {
    const agent = new TestAgent('svc');
    const { orchestrator } = await startEngine({ agents: [agent] });
    await openBreaker(orchestrator, agent);
    const log = record(orchestrator, 'svc');
    await vi.advanceTimersByTimeAsync(60_000);
    agent.on('run', echo());
    expect(await call(orchestrator, 'svc')).toBe('ok');
    agent.on('run', fail(new Error('relapse')));
    expect(await call(orchestrator, 'svc')).toBe('AGENT_FAILURE');
    expect(orchestrator.circuitBreaker('svc')).toMatchObject({ state: 'OPEN', lastFailure: 'relapse' });
    await log.waitFor(2);
    expect(log.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['OPEN->HALF_OPEN', 'HALF_OPEN->OPEN']);
    expect(log.transitions[1]).toMatchObject({
      failureCount: 6,
      reason: 'relapse (after 6 consecutive failures)',
    });
    agent.on('run', echo());
    await vi.advanceTimersByTimeAsync(59_999);
    expect(await call(orchestrator, 'svc')).toBe('CIRCUIT_OPEN');
    await vi.advanceTimersByTimeAsync(1);
    expect(await call(orchestrator, 'svc')).toBe('ok');
    await log.stop();
  });
});

describe('circuit breaker: operator actions at run time', () => {
  it('reset closes an open breaker and forgets its failures, with its transition', async () => {
    const agent = new TestAgent('svc', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++) await call(orchestrator, 'svc');
    const log = record(orchestrator, 'svc');
    expect(orchestrator.resetCircuitBreaker('svc')).toMatchObject({
      state: 'CLOSED',
      failureCount: 0,
      openedAt: null,
    });
    await log.waitFor(1);
    expect(log.transitions).toEqual([
      {
        agent: 'svc',
        from: 'OPEN',
        to: 'CLOSED',
        at: Date.now(),
        failureCount: 0,
        reason: 'reset by operator',
      },
    ]);
    agent.on('run', echo());
    expect(await call(orchestrator, 'svc')).toBe('ok');
    await log.stop();
  });

  it('isolate refuses every call until reset, with both transitions', async () => {
    const agent = new TestAgent('svc');
    const { orchestrator } = await startEngine({ agents: [agent] });
    const log = record(orchestrator, 'svc');
    expect(orchestrator.isolateCircuitBreaker('svc').state).toBe('ISOLATED');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(await call(orchestrator, 'svc')).toBe('CIRCUIT_OPEN');
    expect(agent.calls).toHaveLength(0);
    expect(orchestrator.selectBestAgent([], 'run')).toBeNull();
    expect(orchestrator.resetCircuitBreaker('svc').state).toBe('CLOSED');
    expect(await call(orchestrator, 'svc')).toBe('ok');
    await log.waitFor(2);
    expect(log.transitions.map((t) => [t.from, t.to, t.reason])).toEqual([
      ['CLOSED', 'ISOLATED', 'isolated by operator'],
      ['ISOLATED', 'CLOSED', 'reset by operator'],
    ]);
    await log.stop();
  });

  it('configure changes one agent’s threshold, or the defaults of all; an open breaker keeps its state under new timing', async () => {
    const a = new TestAgent('a', { behaviours: { run: fail() } });
    const b = new TestAgent('b', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    expect(orchestrator.configureCircuitBreaker(null, { failureThreshold: 3 })).toEqual({
      failureThreshold: 3,
      halfOpenAfterMs: 60_000,
      successThreshold: 3,
    });
    orchestrator.configureCircuitBreaker('b', { failureThreshold: 1 });
    expect(await call(orchestrator, 'b')).toBe('AGENT_FAILURE');
    expect(orchestrator.circuitBreaker('b').state).toBe('OPEN');
    for (let i = 0; i < 3; i++) await call(orchestrator, 'a');
    expect(orchestrator.circuitBreaker('a').state).toBe('OPEN');
    // Shorter half-open delay for an open breaker: it stays open but admits a trial after 5 s.
    orchestrator.configureCircuitBreaker('a', { halfOpenAfterMs: 5_000, successThreshold: 1 });
    expect(orchestrator.circuitBreaker('a')).toMatchObject({
      state: 'OPEN',
      settings: { halfOpenAfterMs: 5_000 },
    });
    a.on('run', echo());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await call(orchestrator, 'a')).toBe('ok');
    expect(orchestrator.circuitBreaker('a').state).toBe('CLOSED');
  });

  it('reconfiguring a half-open breaker reports the transition as the operator’s, not as a failure', async () => {
    const agent = new TestAgent('svc', { behaviours: { run: fail(new Error('down')) } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    for (let i = 0; i < 5; i++) await call(orchestrator, 'svc');
    await vi.advanceTimersByTimeAsync(60_000);
    agent.on('run', hang());
    const log = record(orchestrator, 'svc');
    const trial = call(orchestrator, 'svc', {});
    expect(orchestrator.circuitBreaker('svc').state).toBe('HALF_OPEN');
    orchestrator.configureCircuitBreaker('svc', { successThreshold: 1 });
    await log.waitFor(2);
    expect(log.transitions.map((t) => [t.from, t.to, t.reason])).toEqual([
      ['OPEN', 'HALF_OPEN', '60000 ms elapsed; admitting up to 3 trial calls'],
      ['HALF_OPEN', 'OPEN', 'reconfigured by operator'],
    ]);
    await log.stop();
    void trial;
  });

  it('rejects out-of-range settings and unknown agents', async () => {
    const { orchestrator } = await startEngine({ agents: [new TestAgent('a')] });
    expect(() =>
      orchestrator.configureCircuitBreaker('a', { failureThreshold: 0, halfOpenAfterMs: 1.5 }),
    ).toThrow(
      expect.objectContaining({
        name: 'ValidationError',
        issues: [
          { path: 'failureThreshold', message: 'must be an integer between 1 and 1000' },
          { path: 'halfOpenAfterMs', message: 'must be an integer between 1 and 86400000' },
        ],
      }),
    );
    expect(() => orchestrator.circuitBreaker('ghost')).toThrow('agent "ghost" does not exist');
    expect(() => orchestrator.resetCircuitBreaker('ghost')).toThrow('agent "ghost" does not exist');
    expect(() => orchestrator.isolateCircuitBreaker('ghost')).toThrow('agent "ghost" does not exist');
  });

  it('lists the breaker of every registered agent and filters transitions by agent', async () => {
    const a = new TestAgent('a', { behaviours: { run: fail() } });
    const b = new TestAgent('b', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    const onlyB = record(orchestrator, 'b');
    const all = record(orchestrator);
    for (let i = 0; i < 5; i++) await Promise.all([call(orchestrator, 'a'), call(orchestrator, 'b')]);
    expect(orchestrator.circuitBreakers().map((v) => [v.agent, v.state])).toEqual([
      ['a', 'OPEN'],
      ['b', 'OPEN'],
    ]);
    await all.waitFor(2);
    await onlyB.waitFor(1);
    expect(onlyB.transitions.map((t) => t.agent)).toEqual(['b']);
    expect(all.transitions.map((t) => t.agent)).toEqual(['a', 'b']);
    await onlyB.stop();
    await all.stop();
  });
});
