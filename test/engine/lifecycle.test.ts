import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../src/engine/run.ts';
import type { RunStore } from '../../src/engine/store.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, expectWellFormedLog, summary, waitForEnd, waitForType } from '../support/events.ts';
import { controlled, fail, hang, reply, TestAgent } from '../support/test-agent.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** An agent whose call n (from 1) takes `latencies[n-1]` ms of (fake) time. */
const timed = (name: string, latencies: number[], failing: number[] = []) =>
  new TestAgent(name, {
    behaviours: {
      run: (_call, nth) =>
        new Promise((resolve, reject) =>
          setTimeout(
            () =>
              failing.includes(nth) ? reject(new Error(`call ${nth} failed`)) : resolve({ result: nth }),
            latencies[nth - 1] ?? 1,
          ),
        ),
    },
  });

describe('statistics', () => {
  it('counts runs by outcome and pattern, steps, and each agent’s calls, failures and latency with p95', async () => {
    vi.useFakeTimers();
    const latencies = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const agent = timed('t', latencies, [3]);
    const skipper = new TestAgent('skipper', { behaviours: { run: reply(1) } });
    const { orchestrator } = await startEngine({ agents: [agent, skipper] });
    await orchestrator.registerWorkflow({
      id: 'seq',
      name: 'seq',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'call', agent: 't', action: 'run' },
        {
          id: 'maybe',
          agent: 'skipper',
          action: 'run',
          condition: { path: 'input.go', op: 'eq', value: true },
        },
      ],
    });
    await orchestrator.registerWorkflow({
      id: 'par',
      name: 'par',
      pattern: 'PARALLEL',
      steps: [{ id: 'call', agent: 't', action: 'run' }],
    });
    for (let i = 0; i < 10; i++) {
      const run = await orchestrator.executeWorkflow(i % 2 ? 'par' : 'seq', {});
      const ended = waitForEnd(orchestrator, run.id);
      await vi.advanceTimersByTimeAsync(latencies[i] as number);
      await ended;
    }
    const hanging = new TestAgent('hanging', { behaviours: { run: hang() } });
    orchestrator.listAgents();
    const view = orchestrator.statistics();
    expect(view.runs).toMatchObject({
      total: 10,
      succeeded: 9,
      failed: 1,
      cancelled: 0,
      running: 0,
      successRate: 0.9,
      byStatus: { COMPLETED: 9, FAILED: 1, CANCELLED: 0, COMPENSATED: 0, TIMED_OUT: 0, INTERRUPTED: 0 },
    });
    expect(view.runs.duration).toMatchObject({ count: 10, minMs: 10, maxMs: 100, avgMs: 55 });
    expect(view.patterns).toEqual([
      { pattern: 'SEQUENTIAL', runs: 5, succeeded: 4, failed: 1 },
      { pattern: 'PARALLEL', runs: 5, succeeded: 5, failed: 0 },
    ]);
    expect(view.steps).toEqual({ completed: 9, failed: 1, skipped: 4 });
    const t = orchestrator.agentStatistics('t');
    expect(t).toMatchObject({ agent: 't', calls: 10, succeeded: 9, failed: 1, successRate: 0.9 });
    expect(t.latency).toMatchObject({ count: 10, avgMs: 55, minMs: 10, maxMs: 100 });
    // Percentiles come from a 4 % log histogram: within 4 % above the true value, clamped to [min, max].
    expect(t.latency.p95Ms).toBe(100);
    expect(t.latency.p50Ms).toBeGreaterThanOrEqual(50);
    expect(t.latency.p50Ms).toBeLessThanOrEqual(52);
    expect(view.agents.map((a) => a.agent)).toEqual(['t']);
    expect(orchestrator.agentStatistics(hanging.name)).toMatchObject({
      calls: 0,
      successRate: null,
      latency: { count: 0, p95Ms: null },
    });
  });

  it('counts running runs, cancellations apart from failures, and compensations and timeouts as failures', async () => {
    vi.useFakeTimers();
    const slow = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [slow] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      timeoutMs: 1_000,
      steps: [{ id: 's', agent: 'slow', action: 'run' }],
    });
    const a = await orchestrator.executeWorkflow('w', {});
    const b = await orchestrator.executeWorkflow('w', {});
    expect(orchestrator.statistics().runs.running).toBe(2);
    expect(orchestrator.runningRuns).toBe(2);
    await orchestrator.cancelRun(a.id);
    const ended = waitForEnd(orchestrator, b.id);
    await vi.advanceTimersByTimeAsync(1_000);
    await ended;
    expect(orchestrator.statistics().runs).toMatchObject({
      total: 2,
      succeeded: 0,
      failed: 1,
      cancelled: 1,
      running: 0,
      successRate: 0,
      byStatus: { CANCELLED: 1, TIMED_OUT: 1 },
    });
    // Cancelled calls are not the agent's failures.
    expect(orchestrator.agentStatistics('slow')).toMatchObject({ calls: 0, failed: 0 });
  });

  it('an agent with no call yet, and a run list that is queryable by filter', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const bad = new TestAgent('bad', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [ok, bad] });
    await orchestrator.registerWorkflow({
      id: 'good',
      name: 'g',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'ok', action: 'run' }],
    });
    await orchestrator.registerWorkflow({
      id: 'broken',
      name: 'b',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'bad', action: 'run' }],
    });
    const runs: RunRecord[] = [];
    for (const id of ['good', 'broken', 'good'])
      runs.push(await orchestrator.executeWorkflow(id, {}, { wait: true }));
    expect(await orchestrator.countRuns({ status: ['COMPLETED'] })).toBe(2);
    expect(await orchestrator.countRuns({ agent: 'bad' })).toBe(1);
    const page = await orchestrator.listRuns({
      filter: { workflowId: 'good' },
      orderBy: 'STARTED_AT_ASC',
      first: 1,
    });
    expect(page.runs.map((r) => r.id)).toEqual([runs[0]?.id]);
    expect(page.hasNextPage).toBe(true);
    const mixed = await orchestrator.getRuns([runs[1]!.id, 'nope', runs[0]!.id]);
    expect(mixed.map((r) => r?.status ?? null)).toEqual(['FAILED', null, 'COMPLETED']);
  });
});

describe('cancelRun', () => {
  it('refuses an unknown run and a run that already ended', async () => {
    const { orchestrator } = await startEngine({ agents: [new TestAgent('a')] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', {}, { wait: true });
    await expect(orchestrator.cancelRun(run.id)).rejects.toMatchObject({
      name: 'InvalidStateError',
      message: `run ${run.id} already ended (COMPLETED)`,
    });
    await expect(orchestrator.cancelRun('nope')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('stop()', () => {
  it('lets runs finish within the grace period, then ends the rest INTERRUPTED with a terminal event', async () => {
    vi.useFakeTimers();
    const quick = new TestAgent('quick', { behaviours: { run: controlled() } });
    const stuck = new TestAgent('stuck', { behaviours: { run: hang() } });
    const direct = new TestAgent('direct', { behaviours: { run: hang() } });
    const { orchestrator, store } = await startEngine({ agents: [quick, stuck, direct] });
    await orchestrator.registerWorkflow({
      id: 'q',
      name: 'q',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'quick', action: 'run' }],
    });
    await orchestrator.registerWorkflow({
      id: 'h',
      name: 'h',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'stuck', action: 'run' }],
    });
    const q = await orchestrator.executeWorkflow('q', {});
    const h = await orchestrator.executeWorkflow('h', {});
    const call = orchestrator.executeAgent({ agent: 'direct', action: 'run', input: {} }).catch((e) => e);
    await quick.waitForCalls(1);
    let stopped = false;
    const stopping = orchestrator.stop({ graceMs: 5_000 }).then(() => {
      stopped = true;
    });
    await expect(orchestrator.executeWorkflow('q', {})).rejects.toMatchObject({
      name: 'InvalidStateError',
      message: 'the engine is shutting down and starts no new runs',
    });
    expect(await orchestrator.ready()).toEqual({ ready: false, reason: 'shutting down' });
    await vi.advanceTimersByTimeAsync(1_000);
    quick.calls[0]?.resolve('made it');
    expect(await waitForEnd(orchestrator, q.id)).toMatchObject({ status: 'COMPLETED', output: 'made it' });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(stopped).toBe(false);
    expect((await orchestrator.getRun(h.id))?.status).toBe('RUNNING');
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(stopped).toBe(true);
    const [stored] = await store.getRuns([h.id]);
    expect(stored).toMatchObject({
      status: 'INTERRUPTED',
      error: { kind: 'CANCELLED', message: 'the gateway shut down before the run finished' },
    });
    const events = await orchestrator.getEvents(h.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:s', 'STEP_FAILED:s', 'RUN_INTERRUPTED']);
    expect(stuck.calls[0]?.signal.aborted).toBe(true);
    expect(await call).toMatchObject({ kind: 'CANCELLED', message: 'the gateway is shutting down' });
    expect(orchestrator.statistics().runs.byStatus).toMatchObject({ COMPLETED: 1, INTERRUPTED: 1 });
    expect(orchestrator.runningRuns).toBe(0);
    // A second stop is a no-op.
    await orchestrator.stop();
  });
});

describe('persistence and restart (SQLite store)', () => {
  async function sqlite(): Promise<RunStore> {
    return openRunStore('sqlite::memory:');
  }

  it('statistics, versions and finished runs survive a restart on the same store', async () => {
    const store = await sqlite();
    const ok = new TestAgent('ok', {
      actions: ['run', 'other'],
      behaviours: { run: reply({ n: 1 }), other: reply(2) },
    });
    const first = await startEngine({ agents: [ok], store, statisticsIntervalMs: 0 });
    await first.orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'ok', action: 'run' }],
    });
    const run = await first.orchestrator.executeWorkflow('w', { q: 1 }, { wait: true });
    await first.orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'ok', action: 'other' }],
    });
    const before = first.orchestrator.statistics();
    await first.orchestrator.stop();

    const second = await startEngine({ agents: [ok], store });
    const after = second.orchestrator.statistics();
    expect(after.runs).toEqual(before.runs);
    expect(after.agents).toEqual(before.agents);
    expect(after.patterns).toEqual(before.patterns);
    expect(await second.orchestrator.getRun(run.id)).toEqual(run);
    expect(summary(await collectEvents(second.orchestrator, run.id))).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:s',
      'STEP_COMPLETED:s',
      'RUN_COMPLETED',
    ]);
    expect((await second.orchestrator.executeWorkflow('w', {}, { version: 1, wait: true })).output).toEqual({
      n: 1,
    });
    expect((await second.orchestrator.executeWorkflow('w', {}, { wait: true })).output).toBe(2);
    await second.orchestrator.stop();
    await store.close();
  });

  it('marks runs a crash left RUNNING as INTERRUPTED at start, with a terminal event after the last stored one', async () => {
    const store = await sqlite();
    const stuck = new TestAgent('stuck', { behaviours: { run: hang() } });
    const crashed = await startEngine({ agents: [stuck], store });
    await crashed.orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'stuck', action: 'run' }],
    });
    const run = await crashed.orchestrator.executeWorkflow('w', {});
    await waitForType(crashed.orchestrator, run.id, 'STEP_STARTED');
    // The process "dies": its store is reopened by a new engine, the old one is never heard from again.
    const snapshotStore = crashed.store.inner;
    const restarted = await startEngine({ agents: [stuck], store: snapshotStore });
    const record = await restarted.orchestrator.getRun(run.id);
    expect(record).toMatchObject({
      status: 'INTERRUPTED',
      error: {
        kind: 'CANCELLED',
        message: 'the gateway stopped while the run was in progress (crash or kill); it was not resumed',
      },
    });
    const events = await collectEvents(restarted.orchestrator, run.id);
    // The open step is closed in the log too, so the lifecycle rule holds for recovered runs.
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:s', 'STEP_FAILED:s', 'RUN_INTERRUPTED']);
    expect(events[2]).toMatchObject({
      agent: 'stuck',
      data: { execution: 1, status: 'CANCELLED', error: { kind: 'CANCELLED' }, continueOnError: false },
    });
    expect(events[3]?.data).toMatchObject({ status: 'INTERRUPTED', interruptedSteps: ['s'] });
    const [steps] = await restarted.orchestrator.getStepRuns([run.id]);
    expect(steps?.map((s) => [s.stepId, s.status])).toEqual([['s', 'CANCELLED']]);
    expect(restarted.orchestrator.statistics().runs.byStatus.INTERRUPTED).toBe(1);
    expect(restarted.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    // Let the abandoned engine go quietly: its run is cancelled in memory only.
    crashed.store.failNextWrites = Number.POSITIVE_INFINITY;
    await restarted.orchestrator.stop();
  });
});

describe('crash during a compensation', () => {
  it('closes the open compensation with COMPENSATION_FAILED at restart', async () => {
    const store = await openRunStore('sqlite::memory:');
    const bank = new TestAgent('bank', {
      actions: ['charge', 'ship', 'refund'],
      behaviours: { charge: reply({ p: 1 }), ship: fail(new Error('no courier')), refund: hang() },
    });
    const crashed = await startEngine({ agents: [bank], store });
    await crashed.orchestrator.registerWorkflow({
      id: 's',
      name: 's',
      pattern: 'SAGA',
      steps: [
        { id: 'charge', agent: 'bank', action: 'charge', compensation: { action: 'refund' } },
        { id: 'ship', agent: 'bank', action: 'ship' },
      ],
    });
    const run = await crashed.orchestrator.executeWorkflow('s', {});
    await waitForType(crashed.orchestrator, run.id, 'COMPENSATION_STARTED');
    const restarted = await startEngine({ agents: [bank], store });
    const events = await collectEvents(restarted.orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events).slice(-3)).toEqual([
      'COMPENSATION_STARTED:charge',
      'COMPENSATION_FAILED:charge',
      'RUN_INTERRUPTED',
    ]);
    expect(events.at(-2)?.data).toMatchObject({ execution: 3, compensates: 1, error: { kind: 'CANCELLED' } });
    await restarted.orchestrator.stop();
  });
});

describe('retention', () => {
  it('prunes finished runs by count or age, never a running one', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const stuck = new TestAgent('stuck', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({
      agents: [ok, stuck],
      retention: { maxFinishedRuns: 2, intervalMs: 60_000 },
    });
    await orchestrator.registerWorkflow({
      id: 'ok',
      name: 'ok',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'ok', action: 'run' }],
    });
    await orchestrator.registerWorkflow({
      id: 'stuck',
      name: 's',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'stuck', action: 'run' }],
    });
    const running = await orchestrator.executeWorkflow('stuck', {});
    const done: RunRecord[] = [];
    for (let i = 0; i < 4; i++) {
      done.push(await orchestrator.executeWorkflow('ok', {}, { wait: true }));
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(await orchestrator.prune()).toBe(2);
    expect((await orchestrator.getRuns(done.map((r) => r.id))).map((r) => r !== null)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(await orchestrator.prune({ finishedBefore: Date.now() })).toBe(2);
    expect((await orchestrator.getRun(running.id))?.status).toBe('RUNNING');
    await orchestrator.cancelRun(running.id);
  });
});
