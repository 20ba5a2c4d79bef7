import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentRegistry } from '../../src/agents/registry.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd } from '../support/events.ts';
import {
  controlled,
  deferred,
  echo,
  fail,
  failTimes,
  hang,
  lazyManifest,
  reply,
  TestAgent,
} from '../support/test-agent.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('bulkhead', () => {
  it('limits concurrent calls of one agent, queues up to maxQueued, and refuses beyond with BULKHEAD_FULL', async () => {
    const agent = new TestAgent('narrow', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({
      agents: [agent],
      bulkheads: { narrow: { maxConcurrent: 2, maxQueued: 1 } },
    });
    expect(orchestrator.bulkhead('narrow')).toEqual({ maxConcurrent: 2, maxQueued: 1 });
    const outcomes = Array.from({ length: 4 }, (_, i) =>
      orchestrator.executeAgent({ agent: 'narrow', action: 'run', input: { i } }).then(
        (r) => r.output,
        (e: { kind: string; message: string }) => `${e.kind}: ${e.message}`,
      ),
    );
    expect(await outcomes[3]).toBe(
      'BULKHEAD_FULL: agent "narrow" is at its concurrency limit and its queue is full',
    );
    expect(agent.calls.map((c) => c.payload.i)).toEqual([0, 1]);
    agent.calls[0]?.resolve('first');
    await agent.waitForCalls(3);
    expect(agent.calls[2]?.payload.i).toBe(2);
    expect(agent.inFlight).toBe(2);
    agent.calls[1]?.resolve('second');
    agent.calls[2]?.resolve('third');
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['first', 'second', 'third']);
    expect(agent.maxInFlight).toBe(2);
    // BULKHEAD_FULL is not the agent's fault.
    expect(orchestrator.circuitBreaker('narrow').failureCount).toBe(0);
  });

  it('limits the branches of a PARALLEL run that share the agent', async () => {
    const agent = new TestAgent('shared', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    orchestrator.configureBulkhead('shared', { maxConcurrent: 2, maxQueued: 10 });
    await orchestrator.registerWorkflow({
      id: 'p',
      name: 'p',
      pattern: 'PARALLEL',
      steps: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, agent: 'shared', action: 'run' })),
    });
    const run = await orchestrator.executeWorkflow('p', {});
    for (let n = 0; n < 5; n++) {
      await agent.waitForCalls(n + 1);
      expect(agent.inFlight).toBeLessThanOrEqual(2);
      agent.calls[n]?.resolve(n);
    }
    expect((await waitForEnd(orchestrator, run.id)).status).toBe('COMPLETED');
    expect(agent.maxInFlight).toBe(2);
  });

  it('a queued call ends at once when its run is cancelled, without ever reaching the agent', async () => {
    const agent = new TestAgent('narrow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({
      agents: [agent],
      bulkheads: { narrow: { maxConcurrent: 1, maxQueued: 5 } },
    });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'narrow', action: 'run' }],
    });
    const first = await orchestrator.executeWorkflow('w', {});
    const second = await orchestrator.executeWorkflow('w', {});
    await agent.waitForCalls(1);
    expect((await orchestrator.cancelRun(second.id)).status).toBe('CANCELLED');
    expect((await orchestrator.cancelRun(first.id)).status).toBe('CANCELLED');
    expect(agent.calls.map((c) => c.runId)).toEqual([first.id]);
  });

  it('can be removed and rejects unknown agents', async () => {
    const { orchestrator } = await startEngine({ agents: [new TestAgent('a')] });
    orchestrator.configureBulkhead('a', { maxConcurrent: 1, maxQueued: 0 });
    orchestrator.configureBulkhead('a', null);
    expect(orchestrator.bulkhead('a')).toBeNull();
    expect(() => orchestrator.configureBulkhead('ghost', { maxConcurrent: 1, maxQueued: 0 })).toThrow(
      'agent "ghost" does not exist',
    );
  });
});

describe('executeAgent: direct calls with the same guards as a step', () => {
  it('returns the agent, its output, the attempts and the duration', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('a', {
      behaviours: {
        run: (call) =>
          new Promise((resolve) => setTimeout(() => resolve({ result: { got: call.payload } }), 25)),
      },
    });
    const { orchestrator } = await startEngine({ agents: [agent] });
    const pending = orchestrator.executeAgent({ agent: 'a', action: 'run', input: { q: 1 } });
    await vi.advanceTimersByTimeAsync(25);
    const result = await pending;
    expect(result).toEqual({
      agent: 'a',
      output: { got: { q: 1 } },
      durationMs: 25,
      attempts: [
        {
          attempt: 1,
          agent: 'a',
          fallback: false,
          startedAt: expect.any(Number),
          finishedAt: expect.any(Number),
          durationMs: 25,
          error: null,
        },
      ],
    });
    expect(agent.calls[0]).toMatchObject({ runId: null, stepId: null, attempt: 1 });
  });

  it('retries per the request, then falls back', async () => {
    vi.useFakeTimers();
    const a = new TestAgent('a', { behaviours: { run: fail() } });
    const b = new TestAgent('b', { behaviours: { run: failTimes(1, reply('b ok')) } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    const pending = orchestrator.executeAgent({
      agent: 'a',
      action: 'run',
      input: {},
      fallbackAgent: 'b',
      retry: { maxAttempts: 3, initialDelayMs: 100, jitter: false },
    });
    await vi.advanceTimersByTimeAsync(100 + 200 + 100);
    const result = await pending;
    expect(result.agent).toBe('b');
    expect(result.output).toBe('b ok');
    expect(result.attempts.map((x) => [x.attempt, x.agent, x.fallback])).toEqual([
      [1, 'a', false],
      [2, 'a', false],
      [3, 'a', false],
      [4, 'b', true],
      [5, 'b', true],
    ]);
  });

  it('times out with a typed TIMEOUT error', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    const pending = orchestrator
      .executeAgent({ agent: 'slow', action: 'run', input: {}, timeoutMs: 300 })
      .catch((e) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await pending).toMatchObject({
      name: 'OrquestraError',
      kind: 'TIMEOUT',
      message: 'agent "slow" did not answer within 300 ms',
      agent: 'slow',
    });
    expect(agent.calls[0]?.signal.aborted).toBe(true);
  });

  it('rejects malformed requests with every issue, unknown agents with NotFoundError', async () => {
    const { orchestrator } = await startEngine({ agents: [new TestAgent('a', { capabilities: ['x'] })] });
    await expect(
      orchestrator.executeAgent({
        agent: 'a',
        capabilities: ['x'],
        action: 'run',
        input: 'text',
        retry: { maxAttempts: 0 },
        timeoutMs: 0,
      }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [
        { path: 'agent', message: 'name exactly one of "agent" or "capabilities"' },
        { path: 'retry.maxAttempts', message: 'Too small: expected number to be >=1' },
        { path: 'timeoutMs', message: 'must be an integer between 1 and 86400000' },
        { path: 'input', message: 'must be a JSON object' },
      ],
    });
    await expect(orchestrator.executeAgent({ action: 'run', input: {} })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(
      orchestrator.executeAgent({ agent: 'ghost', action: 'run', input: {} }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      entity: 'agent',
      id: 'ghost',
    });
    await expect(
      orchestrator.executeAgent({ agent: 'a', action: 'run', input: {}, fallbackAgent: 'ghost' }),
    ).rejects.toMatchObject({ name: 'NotFoundError', id: 'ghost' });
    await expect(
      orchestrator.executeAgent({ capabilities: ['nope'], action: 'run', input: {} }),
    ).rejects.toMatchObject({
      name: 'OrquestraError',
      kind: 'NO_AGENT_AVAILABLE',
      message: 'no available agent offers "nope" with action "run"',
    });
  });

  it('resolves capabilities through best-agent selection', async () => {
    const a = new TestAgent('a', { capabilities: ['scan'], behaviours: { run: reply('from a') } });
    const { orchestrator } = await startEngine({ agents: [a] });
    expect(
      await orchestrator.executeAgent({ capabilities: ['scan'], action: 'run', input: {} }),
    ).toMatchObject({
      agent: 'a',
      output: 'from a',
    });
  });
});

describe('selectBestAgent', () => {
  it('skips agents whose breaker is open', async () => {
    const a = new TestAgent('a', { capabilities: ['scan'], behaviours: { run: fail() } });
    const b = new TestAgent('b', { capabilities: ['scan'] });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    expect(orchestrator.selectBestAgent(['scan'])?.agent.name).toBe('a');
    for (let i = 0; i < 5; i++)
      await orchestrator.executeAgent({ agent: 'a', action: 'run', input: {} }).catch(() => {});
    expect(orchestrator.circuitBreaker('a').state).toBe('OPEN');
    expect(orchestrator.selectBestAgent(['scan'])?.agent.name).toBe('b');
    orchestrator.isolateCircuitBreaker('b');
    expect(orchestrator.selectBestAgent(['scan'])).toBeNull();
  });

  it('prefers a better success rate, then a lower latency; needs full coverage and the action', async () => {
    vi.useFakeTimers();
    const slow = (ms: number) => () =>
      new Promise<{ result: string }>((r) => setTimeout(() => r({ result: 'ok' }), ms));
    const fast = new TestAgent('fast', { capabilities: ['scan', 'rank'], behaviours: { run: slow(10) } });
    const slowAgent = new TestAgent('slow', {
      capabilities: ['scan', 'rank'],
      behaviours: { run: slow(500) },
    });
    const flaky = new TestAgent('flaky', {
      capabilities: ['scan', 'rank'],
      behaviours: { run: failTimes(1, slow(1)) },
    });
    const partial = new TestAgent('partial', { capabilities: ['scan'], behaviours: { run: slow(1) } });
    const other = new TestAgent('other', { capabilities: ['scan', 'rank'], actions: ['other'] });
    const { orchestrator } = await startEngine({ agents: [fast, slowAgent, flaky, partial, other] });
    for (const name of ['fast', 'slow', 'flaky', 'flaky']) {
      const p = orchestrator.executeAgent({ agent: name, action: 'run', input: {} }).catch(() => {});
      await vi.advanceTimersByTimeAsync(500);
      await p;
    }
    const best = orchestrator.selectBestAgent(['scan', 'rank'], 'run');
    expect(best?.agent.name).toBe('fast');
    expect(best).toMatchObject({ coverage: 1, matched: ['scan', 'rank'], missing: [] });
    // Score: coverage·1000 + success rate·100 + 10/(1 + mean latency/100).
    // fast (100 %, 10 ms) > slow (100 %, 500 ms) > flaky (50 %); partial lacks "rank", other lacks "run".
    expect(best?.score).toBeCloseTo(1000 + 100 + 10 / 1.1, 6);
    const rates = ['fast', 'slow', 'flaky'].map((name) => orchestrator.agentStatistics(name).successRate);
    expect(rates).toEqual([1, 1, 0.5]);
    expect(orchestrator.selectBestAgent(['scan', 'rank'], 'other')?.agent.name).toBe('other');
    for (let i = 0; i < 5; i++)
      await orchestrator.executeAgent({ agent: 'fast', action: 'nope', input: {} }).catch(() => {});
    expect(orchestrator.selectBestAgent(['scan', 'rank'], 'run')?.agent.name).toBe('fast');
    orchestrator.isolateCircuitBreaker('fast');
    expect(orchestrator.selectBestAgent(['scan', 'rank'], 'run')?.agent.name).toBe('slow');
    orchestrator.isolateCircuitBreaker('slow');
    expect(orchestrator.selectBestAgent(['scan', 'rank'], 'run')?.agent.name).toBe('flaky');
    orchestrator.isolateCircuitBreaker('flaky');
    expect(orchestrator.selectBestAgent(['scan', 'rank'], 'run')).toBeNull();
  });
});

describe('capability-based steps', () => {
  it('resolve through best-agent selection at run time, breaker-aware, and say so in STEP_STARTED', async () => {
    const a = new TestAgent('a', { capabilities: ['scan'], behaviours: { run: reply('a') } });
    const b = new TestAgent('b', { capabilities: ['scan'], behaviours: { run: reply('b') } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', capabilities: ['scan'], action: 'run' }],
    });
    const first = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(first.output).toBe('a');
    const started = (await collectEvents(orchestrator, first.id))[1];
    expect(started).toMatchObject({
      type: 'STEP_STARTED',
      agent: 'a',
      data: { action: 'run', selection: { capabilities: ['scan'], score: 1095 } },
    });
    orchestrator.isolateCircuitBreaker('a');
    const second = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(second.output).toBe('b');
  });

  it('fail with NO_AGENT_AVAILABLE when every candidate is unavailable, with a well-formed step lifecycle', async () => {
    const a = new TestAgent('a', { capabilities: ['scan'] });
    const { orchestrator } = await startEngine({ agents: [a] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', capabilities: ['scan'], action: 'run' }],
    });
    orchestrator.isolateCircuitBreaker('a');
    const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(run.error).toEqual({
      kind: 'NO_AGENT_AVAILABLE',
      message: 'no available agent offers "scan" with action "run"',
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:s', 'STEP_FAILED:s', 'RUN_FAILED']);
    expect(events[1]).toMatchObject({ agent: null });
  });

  it('fall back to the fallback agent when no candidate is available, with a well-formed step lifecycle', async () => {
    const a = new TestAgent('a', { capabilities: ['scan'] });
    const backup = new TestAgent('backup', { behaviours: { run: reply('backup') } });
    const { orchestrator } = await startEngine({ agents: [a, backup] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', capabilities: ['scan'], action: 'run', fallbackAgent: 'backup' }],
    });
    orchestrator.isolateCircuitBreaker('a');
    const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'backup' });
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
      data: { from: null, to: 'backup', error: { kind: 'NO_AGENT_AVAILABLE' } },
    });
  });
});

describe('agent registry', () => {
  it('lists agents and validates workflows without loading them; the first call loads once, even when concurrent', async () => {
    const gate = deferred();
    const lazy = lazyManifest(
      new TestAgent('lazy', { capabilities: ['scan'], actions: ['run', 'undo'] }),
      gate.promise,
    );
    const { orchestrator, registry } = await startEngine({ agents: [lazy] });
    expect(orchestrator.listAgents().map((a) => a.name)).toEqual(['lazy']);
    expect(orchestrator.describeAgent('lazy')).toMatchObject({ name: 'lazy', capabilities: ['scan'] });
    expect(orchestrator.capabilities()).toMatchObject([{ name: 'scan', agents: [{ name: 'lazy' }] }]);
    expect(orchestrator.selectBestAgent(['scan'])?.agent.name).toBe('lazy');
    await orchestrator.registerWorkflow({
      id: 'p',
      name: 'p',
      pattern: 'PARALLEL',
      steps: [
        { id: 'one', agent: 'lazy', action: 'run' },
        { id: 'two', agent: 'lazy', action: 'run' },
        { id: 'three', capabilities: ['scan'], action: 'run' },
      ],
    });
    expect(lazy.loads).toBe(0);
    expect(registry.isLoaded('lazy')).toBe(false);
    const run = await orchestrator.executeWorkflow('p', {});
    expect(lazy.loads).toBe(1);
    gate.resolve();
    expect((await waitForEnd(orchestrator, run.id)).status).toBe('COMPLETED');
    expect(lazy.loads).toBe(1);
    expect(lazy.loaded.calls).toHaveLength(3);
    expect(registry.isLoaded('lazy')).toBe(true);
    await orchestrator.executeAgent({ agent: 'lazy', action: 'run', input: {} });
    expect(lazy.loads).toBe(1);
  });

  it('a failing load is an AGENT_FAILURE of the step, and a later call loads again', async () => {
    const agent = new TestAgent('lazy', { behaviours: { run: echo() } });
    let loads = 0;
    const manifest = {
      name: 'lazy',
      description: 'x',
      capabilities: [],
      actions: agent.actions,
      load: async () => {
        loads++;
        if (loads === 1) throw new Error('module not found');
        return agent;
      },
    };
    const { orchestrator } = await startEngine({ agents: [manifest] });
    await expect(
      orchestrator.executeAgent({ agent: 'lazy', action: 'run', input: {} }),
    ).rejects.toMatchObject({
      kind: 'AGENT_FAILURE',
      message: 'agent "lazy" failed to load: module not found',
    });
    await expect(
      orchestrator.executeAgent({ agent: 'lazy', action: 'run', input: {} }),
    ).resolves.toMatchObject({
      agent: 'lazy',
    });
    expect(loads).toBe(2);
  });

  it('a load that hangs cannot keep a cancelled or timed-out run from ending', async () => {
    vi.useFakeTimers();
    const gate = deferred();
    const lazy = lazyManifest(new TestAgent('lazy'), gate.promise);
    const { orchestrator } = await startEngine({ agents: [lazy] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      timeoutMs: 1_000,
      steps: [{ id: 's', agent: 'lazy', action: 'run' }],
    });
    const timedOut = await orchestrator.executeWorkflow('w', {});
    const cancelled = await orchestrator.executeWorkflow('w', {});
    expect((await orchestrator.cancelRun(cancelled.id)).status).toBe('CANCELLED');
    const ended = waitForEnd(orchestrator, timedOut.id);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await ended).status).toBe('TIMED_OUT');
    expect(lazy.loads).toBe(1);
    // The load still completes for later calls.
    gate.resolve();
    await expect(
      orchestrator.executeAgent({ agent: 'lazy', action: 'run', input: {} }),
    ).resolves.toMatchObject({ agent: 'lazy' });
    expect(lazy.loaded.calls).toHaveLength(1);
  });

  it('indexes capabilities and finds agents by capability', () => {
    const registry = new AgentRegistry();
    registry.register(new TestAgent('b', { capabilities: ['scan', 'rank'] }));
    registry.register(new TestAgent('a', { capabilities: ['scan'] }));
    registry.register(lazyManifest(new TestAgent('c', { capabilities: ['report'] })));
    expect(registry.findAgents('scan').map((a) => a.name)).toEqual(['a', 'b']);
    expect(registry.findAgents('none')).toEqual([]);
    expect(registry.capabilities().map((c) => [c.name, c.agents.map((a) => a.name)])).toEqual([
      ['rank', ['b']],
      ['report', ['c']],
      ['scan', ['a', 'b']],
    ]);
    expect(registry.selectBestAgent(['scan', 'rank'])?.agent.name).toBe('b');
    expect(registry.selectBestAgent(['scan', 'report'])).toBeNull();
    expect(registry.selectBestAgent(['scan', 'report'], { allowPartial: true })?.coverage).toBe(0.5);
    registry.unregister('b');
    expect(registry.findAgents('rank')).toEqual([]);
    expect(registry.findAgents('scan').map((a) => a.name)).toEqual(['a']);
  });

  it('listAgents filters by capability through the orchestrator', async () => {
    const { orchestrator } = await startEngine({
      agents: [
        new TestAgent('a', { capabilities: ['scan'] }),
        new TestAgent('b', { capabilities: ['rank'] }),
      ],
    });
    expect(orchestrator.listAgents({ capability: 'rank' }).map((a) => a.name)).toEqual(['b']);
    expect(orchestrator.describeAgent('ghost')).toBeNull();
  });
});
