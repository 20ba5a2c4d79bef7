import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RetryPolicy, StepDefinition } from '../../src/engine/definition.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd, waitForType } from '../support/events.ts';
import {
  controlled,
  echo,
  fail,
  failTimes,
  hang,
  invalidInput,
  reply,
  TestAgent,
} from '../support/test-agent.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** One SEQUENTIAL step; the breaker threshold is raised so that long retry series are not cut short by it. */
async function oneStep(
  step: Omit<StepDefinition, 'id' | 'action'>,
  agents: TestAgent[],
  retryPolicy?: Partial<RetryPolicy>,
) {
  const engine = await startEngine({
    agents,
    circuitBreaker: { failureThreshold: 100 },
    ...(retryPolicy ? { retryPolicy } : {}),
  });
  await engine.orchestrator.registerWorkflow({
    id: 'w',
    name: 'w',
    pattern: 'SEQUENTIAL',
    steps: [{ id: 's', action: 'run', ...step }],
  });
  const run = await engine.orchestrator.executeWorkflow('w', {});
  return { ...engine, run };
}

describe('retry with exponential backoff', () => {
  it('without jitter waits exactly initialDelayMs·multiplier^(n-1), capped by maxDelayMs', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator, run } = await oneStep(
      {
        agent: 'a',
        retry: { maxAttempts: 6, initialDelayMs: 100, multiplier: 2, maxDelayMs: 500, jitter: false },
      },
      [agent],
    );
    const ended = waitForEnd(orchestrator, run.id);
    // Retry n happens exactly after its delay, not a millisecond earlier.
    for (const [delay, calls] of [
      [100, 2],
      [200, 3],
      [400, 4],
      [500, 5],
      [500, 6],
    ] as const) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(agent.calls).toHaveLength(calls - 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(agent.calls).toHaveLength(calls);
    }
    expect((await ended).status).toBe('FAILED');
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    const retries = events.filter((e) => e.type === 'STEP_RETRYING');
    expect(retries.map((e) => [e.attempt, e.data?.delayMs])).toEqual([
      [2, 100],
      [3, 200],
      [4, 400],
      [5, 500],
      [6, 500],
    ]);
    expect(retries[0]?.message).toBe('step "s" retries on a in 100 ms after: agent "a" failed: boom');
    expect(retries[0]?.data?.error).toEqual({
      kind: 'AGENT_FAILURE',
      message: 'agent "a" failed: boom',
      agent: 'a',
    });
    expect(agent.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-2)).toMatchObject({ type: 'STEP_FAILED', attempt: 6, data: { attempts: 6 } });
  });

  it('uses the multiplier of the policy', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator, run } = await oneStep(
      {
        agent: 'a',
        retry: { maxAttempts: 4, initialDelayMs: 50, multiplier: 3, maxDelayMs: 10_000, jitter: false },
      },
      [agent],
    );
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(50 + 150 + 450);
    await ended;
    const events = await collectEvents(orchestrator, run.id);
    expect(events.filter((e) => e.type === 'STEP_RETRYING').map((e) => e.data?.delayMs)).toEqual([
      50, 150, 450,
    ]);
  });

  it('with jitter keeps every delay within [0, maxDelayMs] and does not retry in lockstep', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator, run } = await oneStep(
      { agent: 'a', retry: { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 300, jitter: true } },
      [agent],
    );
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(19 * 300);
    await ended;
    expect(agent.calls).toHaveLength(20);
    const delays = (await collectEvents(orchestrator, run.id))
      .filter((e) => e.type === 'STEP_RETRYING')
      .map((e) => e.data?.delayMs as number);
    expect(delays).toHaveLength(19);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(300);
    }
    const deterministic = [100, 200, ...Array(17).fill(300)];
    expect(delays).not.toEqual(deterministic);
  });

  it('succeeds on a later attempt and records every attempt', async () => {
    const agent = new TestAgent('a', { behaviours: { run: failTimes(2, reply('third time lucky')) } });
    const { orchestrator, run } = await oneStep(
      { agent: 'a', retry: { maxAttempts: 3, initialDelayMs: 10, jitter: false } },
      [agent],
    );
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(30);
    expect(await ended).toMatchObject({ status: 'COMPLETED', output: 'third time lucky' });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:s',
      'STEP_RETRYING:s',
      'STEP_RETRYING:s',
      'STEP_COMPLETED:s',
      'RUN_COMPLETED',
    ]);
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.[0]).toMatchObject({ attempts: 3, status: 'COMPLETED' });
    expect(steps?.[0]?.attemptLog.map((a) => a.error?.kind ?? 'ok')).toEqual([
      'AGENT_FAILURE',
      'AGENT_FAILURE',
      'ok',
    ]);
  });

  it('never retries the default non-retryable kinds (an input error)', async () => {
    const agent = new TestAgent('a', {
      behaviours: { run: fail(invalidInput('amount: expected a number')) },
    });
    const { orchestrator, run } = await oneStep({ agent: 'a' }, [agent], { maxAttempts: 5 });
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended.error).toEqual({ kind: 'INVALID_INPUT', message: 'amount: expected a number', agent: 'a' });
    expect(agent.calls).toHaveLength(1);
  });

  it('honours the step’s nonRetryableKinds', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator, run } = await oneStep(
      { agent: 'a', retry: { maxAttempts: 5, nonRetryableKinds: ['AGENT_FAILURE'] } },
      [agent],
    );
    expect((await waitForEnd(orchestrator, run.id)).error?.kind).toBe('AGENT_FAILURE');
    expect(agent.calls).toHaveLength(1);
  });

  it('falls back after the last attempt; the fallback gets its own series and the attempt numbers go on', async () => {
    const primary = new TestAgent('primary', { behaviours: { run: fail(new Error('primary down')) } });
    const backup = new TestAgent('backup', { behaviours: { run: failTimes(1, reply('saved')) } });
    const { orchestrator, run } = await oneStep(
      {
        agent: 'primary',
        fallbackAgent: 'backup',
        retry: { maxAttempts: 2, initialDelayMs: 10, jitter: false },
      },
      [primary, backup],
    );
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(10);
    expect(primary.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(await ended).toMatchObject({ status: 'COMPLETED', output: 'saved' });
    expect(backup.calls.map((c) => c.attempt)).toEqual([3, 4]);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(events.slice(1, -1).map((e) => [e.type, e.agent, e.attempt])).toEqual([
      ['STEP_STARTED', 'primary', 1],
      ['STEP_RETRYING', 'primary', 2],
      ['STEP_FALLBACK', 'backup', 3],
      ['STEP_RETRYING', 'backup', 4],
      ['STEP_COMPLETED', 'backup', 4],
    ]);
    expect(events[3]?.data).toMatchObject({
      from: 'primary',
      to: 'backup',
      error: { kind: 'AGENT_FAILURE', message: 'agent "primary" failed: primary down' },
    });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.[0]?.attemptLog.map((a) => [a.attempt, a.agent, a.fallback])).toEqual([
      [1, 'primary', false],
      [2, 'primary', false],
      [3, 'backup', true],
      [4, 'backup', true],
    ]);
  });

  it('a retry wait ends at once when the run is cancelled', async () => {
    const agent = new TestAgent('a', { behaviours: { run: fail() } });
    const { orchestrator, run } = await oneStep(
      { agent: 'a', retry: { maxAttempts: 3, initialDelayMs: 60_000, jitter: false } },
      [agent],
    );
    await waitForType(orchestrator, run.id, 'STEP_RETRYING');
    const ended = await orchestrator.cancelRun(run.id);
    expect(ended.status).toBe('CANCELLED');
    expect(agent.calls).toHaveLength(1);
    const events = await collectEvents(orchestrator, run.id);
    expect(events.at(-2)).toMatchObject({ type: 'STEP_FAILED', data: { status: 'CANCELLED' } });
  });
});

describe('step timeout', () => {
  it('fails an attempt that runs past timeoutMs with STEP_TIMED_OUT, aborts the agent’s signal, and retries', async () => {
    const agent = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator, run } = await oneStep(
      { agent: 'slow', timeoutMs: 1_000, retry: { maxAttempts: 2, initialDelayMs: 10, jitter: false } },
      [agent],
    );
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(999);
    expect(agent.calls[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(agent.calls[0]?.signal.aborted).toBe(true);
    expect(agent.calls[0]?.signal.reason).toMatchObject({ kind: 'STEP_TIMEOUT', timeoutMs: 1_000 });
    await vi.advanceTimersByTimeAsync(10 + 1_000);
    const record = await ended;
    expect(record.status).toBe('FAILED');
    expect(record.error).toEqual({
      kind: 'TIMEOUT',
      message: 'agent "slow" did not answer within 1000 ms',
      agent: 'slow',
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:s',
      'STEP_TIMED_OUT:s',
      'STEP_RETRYING:s',
      'STEP_TIMED_OUT:s',
      'STEP_FAILED:s',
      'RUN_FAILED',
    ]);
    expect(events[2]).toMatchObject({ attempt: 1, data: { execution: 1, timeoutMs: 1_000 } });
    expect(events[4]).toMatchObject({ attempt: 2 });
    expect(events[5]?.data).toMatchObject({ status: 'TIMED_OUT' });
    const [steps] = await orchestrator.getStepRuns([run.id]);
    expect(steps?.[0]?.status).toBe('TIMED_OUT');
  });

  it('an agent that ignores its signal cannot keep a step past its timeout', async () => {
    const agent = new TestAgent('deaf', { behaviours: { run: hang({ ignoreSignal: true }) } });
    const { orchestrator, run } = await oneStep({ agent: 'deaf', timeoutMs: 500 }, [agent]);
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(500);
    expect((await ended).error?.kind).toBe('TIMEOUT');
    expect(agent.calls[0]?.settled).toBe(false);
  });

  it('an agent that ignores its signal cannot keep a cancelled run from ending', async () => {
    const agent = new TestAgent('deaf', { behaviours: { run: hang({ ignoreSignal: true }) } });
    const { orchestrator, run } = await oneStep({ agent: 'deaf' }, [agent]);
    await agent.waitForCalls(1);
    expect((await orchestrator.cancelRun(run.id)).status).toBe('CANCELLED');
    expect(agent.calls[0]?.signal.aborted).toBe(true);
    expect(agent.calls[0]?.settled).toBe(false);
  });

  it('an agent that ignores its signal cannot keep a run past its workflow timeout', async () => {
    const agent = new TestAgent('deaf', { behaviours: { run: hang({ ignoreSignal: true }) } });
    const engine = await startEngine({ agents: [agent] });
    await engine.orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      timeoutMs: 2_000,
      steps: [{ id: 's', agent: 'deaf', action: 'run' }],
    });
    const run = await engine.orchestrator.executeWorkflow('w', {});
    const ended = waitForEnd(engine.orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await ended).toMatchObject({ status: 'TIMED_OUT', error: { kind: 'TIMEOUT' } });
    expect(engine.orchestrator.runningRuns).toBe(0);
  });

  it('a late answer of a timed-out attempt is ignored', async () => {
    const agent = new TestAgent('late', { behaviours: { run: controlled({ ignoreSignal: true }) } });
    const { orchestrator, run } = await oneStep({ agent: 'late', timeoutMs: 100 }, [agent]);
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(100);
    expect((await ended).status).toBe('FAILED');
    agent.calls[0]?.resolve('too late');
    await agent.waitForSettled(1);
    expect((await orchestrator.getRun(run.id))?.status).toBe('FAILED');
    const events = await collectEvents(orchestrator, run.id);
    expect(events.filter((e) => e.type === 'STEP_COMPLETED')).toEqual([]);
  });
});

describe('fallback agent', () => {
  it('is not used when the run was cancelled', async () => {
    const primary = new TestAgent('primary', { behaviours: { run: hang() } });
    const backup = new TestAgent('backup', { behaviours: { run: echo() } });
    const { orchestrator, run } = await oneStep({ agent: 'primary', fallbackAgent: 'backup' }, [
      primary,
      backup,
    ]);
    await primary.waitForCalls(1);
    await orchestrator.cancelRun(run.id);
    expect(backup.calls).toHaveLength(0);
  });

  it('fails the step with the fallback’s error when the fallback fails too', async () => {
    const primary = new TestAgent('primary', { behaviours: { run: fail(new Error('p')) } });
    const backup = new TestAgent('backup', { behaviours: { run: fail(new Error('b')) } });
    const { orchestrator, run } = await oneStep({ agent: 'primary', fallbackAgent: 'backup' }, [
      primary,
      backup,
    ]);
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended.error).toEqual({
      kind: 'AGENT_FAILURE',
      message: 'agent "backup" failed: b',
      agent: 'backup',
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:s',
      'STEP_FALLBACK:s',
      'STEP_FAILED:s',
      'RUN_FAILED',
    ]);
    expect(events[3]?.agent).toBe('backup');
  });
});
