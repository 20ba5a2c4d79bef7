import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream, SlowSubscriberError } from '../../src/engine/event-stream.ts';
import { type RunEvent, type RunUpdate, runTopic } from '../../src/engine/events.ts';
import { startEngine } from '../support/engine.ts';
import {
  collectEvents,
  drain,
  expectWellFormedLog,
  summary,
  waitForEnd,
  waitForType,
} from '../support/events.ts';
import { controlled, deferred, fail, reply, TestAgent } from '../support/test-agent.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** Three steps on a controlled agent: the test decides when each step completes. */
async function steppedRun(extra: Parameters<typeof startEngine>[0] = {}) {
  const agent = new TestAgent('a', { behaviours: { run: controlled() } });
  const engine = await startEngine({ agents: [agent], ...extra });
  await engine.orchestrator.registerWorkflow({
    id: 'w',
    name: 'w',
    pattern: 'SEQUENTIAL',
    steps: ['one', 'two', 'three'].map((id) => ({ id, agent: 'a', action: 'run' })),
  });
  const run = await engine.orchestrator.executeWorkflow('w', {});
  /** Completes step n (0-based) once it has started. */
  const complete = async (n: number) => {
    await agent.waitForCalls(n + 1);
    agent.calls[n]?.resolve(n);
  };
  return { ...engine, agent, run, complete };
}

const FULL_LOG = [
  [1, 'RUN_STARTED', null],
  [2, 'STEP_STARTED', 'one'],
  [3, 'STEP_COMPLETED', 'one'],
  [4, 'STEP_STARTED', 'two'],
  [5, 'STEP_COMPLETED', 'two'],
  [6, 'STEP_STARTED', 'three'],
  [7, 'STEP_COMPLETED', 'three'],
  [8, 'RUN_COMPLETED', null],
];
const triples = (events: RunEvent[]) => events.map((e) => [e.seq, e.type, e.stepId]);

describe('the run event log', () => {
  it('numbers events 1..n without gaps and ends with exactly one terminal event, for every outcome', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const bad = new TestAgent('bad', { behaviours: { run: fail() } });
    const { orchestrator } = await startEngine({ agents: [ok, bad] });
    await orchestrator.registerWorkflow({
      id: 'mixed',
      name: 'mixed',
      pattern: 'PARALLEL',
      failFast: false,
      steps: [
        { id: 'a', agent: 'ok', action: 'run' },
        { id: 'b', agent: 'bad', action: 'run', continueOnError: true },
        { id: 'c', agent: 'ok', action: 'run', condition: { path: 'input.c', op: 'exists' } },
      ],
    });
    for (const input of [{}, { c: 1 }]) {
      const run = await orchestrator.executeWorkflow('mixed', input, { wait: true });
      expectWellFormedLog(await collectEvents(orchestrator, run.id));
    }
  });

  it('publishes no event before the store has committed it (slow store, several concurrent runs)', async () => {
    const { orchestrator, store, bus, agent, run, complete } = await steppedRun();
    store.beforeWrite = () => new Promise((resolve) => setImmediate(resolve));
    const others = await Promise.all([1, 2].map(() => orchestrator.executeWorkflow('w', {})));
    for (let n = 0; n < 9; n++) await complete(n);
    for (const r of [run, ...others]) await waitForEnd(orchestrator, r.id);
    expect(agent.calls).toHaveLength(9);
    expect(bus.deliveries.length).toBe(24);
    expect(bus.deliveries.filter((d) => !d.committed)).toEqual([]);
    // A run update is published only once a run record at least that recent is committed (batches may
    // already hold a later state: a RUNNING update can follow the commit of the COMPLETED record).
    expect(bus.updates).toHaveLength(6);
    for (const { update, committedStatus } of bus.updates) {
      expect(committedStatus).toBeDefined();
      if (update.status !== 'RUNNING') expect(committedStatus).toBe(update.status);
    }
    // Per run, the bus got each seq once, in order.
    for (const r of [run, ...others]) {
      expect(bus.deliveries.filter((d) => d.runId === r.id).map((d) => d.seq)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8,
      ]);
    }
  });

  it('holds publication back while the store refuses writes, retries with backoff, and reports not ready', async () => {
    vi.useFakeTimers();
    const agent = new TestAgent('a', { behaviours: { run: reply(1) } });
    const { orchestrator, store, bus, logs } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    store.failNextWrites = 2;
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = waitForEnd(orchestrator, run.id);
    await vi.advanceTimersByTimeAsync(49);
    expect(store.failedWrites).toBe(1);
    expect(bus.deliveries).toEqual([]);
    expect(await orchestrator.ready()).toEqual({ ready: false, reason: 'the run store refuses writes' });
    await vi.advanceTimersByTimeAsync(1);
    expect(store.failedWrites).toBe(2);
    expect(bus.deliveries).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect((await ended).status).toBe('COMPLETED');
    expect(await orchestrator.ready()).toEqual({ ready: true, reason: null });
    expect(bus.deliveries.every((d) => d.committed)).toBe(true);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.args[0])).toEqual([
      'orquestra: run store write failed (attempt 1), retrying:',
      'orquestra: run store write failed (attempt 2), retrying:',
    ]);
    expectWellFormedLog(await collectEvents(orchestrator, run.id));
  });

  it('runEvents replays stored events then follows live ones, whatever afterSeq a subscriber joins with', async () => {
    const { orchestrator, run, complete } = await steppedRun();
    const streams: { afterSeq: number; events: Promise<RunEvent[]> }[] = [];
    const join = async (afterSeq: number) => {
      streams.push({ afterSeq, events: drain(await orchestrator.runEvents(run.id, afterSeq)) });
    };
    await join(0);
    await complete(0);
    await waitForType(orchestrator, run.id, 'STEP_STARTED', 'two');
    for (const k of [0, 1, 2, 3, 4, 9]) await join(k);
    await complete(1);
    await complete(2);
    await waitForEnd(orchestrator, run.id);
    for (const k of [0, 5, 7, 8]) await join(k);
    for (const { afterSeq, events } of streams)
      expect(triples(await events)).toEqual(FULL_LOG.slice(afterSeq));
  });

  it('has no gap or duplicate at the seam when live events arrive while stored ones are being read', async () => {
    for (const mode of ['before', 'after'] as const) {
      const { orchestrator, store, bus, run, complete } = await steppedRun();
      await complete(0);
      await bus.waitForPublished(run.id, 4);
      const gate = deferred();
      store.readGate = gate.promise;
      store.readMode = mode;
      const subscribing = orchestrator.runEvents(run.id, 1);
      // Events 5 and 6 are published (and held by the subscription) while its read is pending.
      await complete(1);
      await bus.waitForPublished(run.id, 6);
      expect(store.readsWaiting).toBe(1);
      store.readGate = null;
      gate.resolve();
      const stream = await subscribing;
      await complete(2);
      expect(triples(await drain(stream))).toEqual(FULL_LOG.slice(1));
    }
  });

  it('fills a gap from the store when the bus loses an event', async () => {
    const { orchestrator, bus, run, complete } = await steppedRun();
    const stream = await orchestrator.runEvents(run.id);
    bus.drop.add(`${run.id}#3`);
    bus.drop.add(`${run.id}#6`);
    await complete(0);
    await complete(1);
    await complete(2);
    expect(triples(await drain(stream))).toEqual(FULL_LOG);
    expect(bus.drop.size).toBe(0);
  });

  it('ends the stream after the terminal event and releases its bus listener', async () => {
    const { orchestrator, bus, run, complete } = await steppedRun();
    const stream = await orchestrator.runEvents(run.id);
    expect(bus.listenerCount(runTopic(run.id))).toBe(1);
    for (let n = 0; n < 3; n++) await complete(n);
    const events = await drain(stream);
    expect(events.at(-1)?.type).toBe('RUN_COMPLETED');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount(runTopic(run.id))).toBe(0);
  });

  it('return() disposes the listener at once, even while the consumer waits for the next event', async () => {
    const { orchestrator, bus, run, complete } = await steppedRun();
    const stream = await orchestrator.runEvents(run.id);
    expect((await stream.next()).value?.seq).toBe(1);
    expect((await stream.next()).value?.seq).toBe(2);
    const waiting = stream.next();
    expect(bus.listenerCount(runTopic(run.id))).toBe(1);
    await stream.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount(runTopic(run.id))).toBe(0);
    for (let n = 0; n < 3; n++) await complete(n);
    await waitForEnd(orchestrator, run.id);
    expect(bus.listenerCount(runTopic(run.id))).toBe(0);
  });

  it('a subscriber of a finished run gets the replay and the end; an unknown run is a NotFoundError', async () => {
    const { orchestrator, bus, run, complete } = await steppedRun();
    for (let n = 0; n < 3; n++) await complete(n);
    await waitForEnd(orchestrator, run.id);
    expect(triples(await collectEvents(orchestrator, run.id))).toEqual(FULL_LOG);
    expect(triples(await collectEvents(orchestrator, run.id, 6))).toEqual(FULL_LOG.slice(6));
    expect(await collectEvents(orchestrator, run.id, 8)).toEqual([]);
    await expect(orchestrator.runEvents('no-such-run')).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'run "no-such-run" does not exist',
    });
    expect(bus.listenerCount(runTopic('no-such-run'))).toBe(0);
    expect(bus.listenerCount(runTopic(run.id))).toBe(0);
  });

  it('rejects when the store cannot be read, without leaving a listener behind', async () => {
    const { orchestrator, store, bus, run, complete } = await steppedRun();
    for (let n = 0; n < 3; n++) await complete(n);
    await waitForEnd(orchestrator, run.id);
    store.failReads = true;
    await expect(orchestrator.runEvents(run.id)).rejects.toThrow('store unavailable (simulated)');
    expect(bus.listenerCount(runTopic(run.id))).toBe(0);
    const live = await orchestrator.executeWorkflow('w', {});
    await expect(orchestrator.runEvents(live.id)).rejects.toThrow('store unavailable (simulated)');
    expect(bus.listenerCount(runTopic(live.id))).toBe(0);
    store.failReads = false;
    for (let n = 3; n < 6; n++) await complete(n);
    expect((await waitForEnd(orchestrator, live.id)).status).toBe('COMPLETED');
  });

  it('getEvents pages the stored log', async () => {
    const { orchestrator, run, complete } = await steppedRun();
    for (let n = 0; n < 3; n++) await complete(n);
    await waitForEnd(orchestrator, run.id);
    expect(triples(await orchestrator.getEvents(run.id, 2, 3))).toEqual(FULL_LOG.slice(2, 5));
  });
});

describe('run updates and other topics', () => {
  it('runUpdates publishes start and end of each run, filtered by status, workflow and pattern', async () => {
    const ok = new TestAgent('ok', { behaviours: { run: reply(1) } });
    const bad = new TestAgent('bad', { behaviours: { run: fail(new Error('nope')) } });
    const { orchestrator, bus } = await startEngine({ agents: [ok, bad] });
    await orchestrator.registerWorkflow({
      id: 'good',
      name: 'g',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'ok', action: 'run' }],
    });
    await orchestrator.registerWorkflow({
      id: 'broken',
      name: 'b',
      pattern: 'PARALLEL',
      steps: [{ id: 's', agent: 'bad', action: 'run' }],
    });
    const all = orchestrator.runUpdates();
    const failedOnly = orchestrator.runUpdates({ status: ['FAILED'] });
    const goodOnly = orchestrator.runUpdates({ workflowId: 'good' });
    const parallelOnly = orchestrator.runUpdates({ pattern: ['PARALLEL'] });
    expect(bus.listenerCount('run.updates')).toBe(4);
    const g = await orchestrator.executeWorkflow('good', {}, { wait: true });
    const b = await orchestrator.executeWorkflow('broken', {}, { wait: true });
    const take = async (stream: typeof all, n: number) => {
      const out: RunUpdate[] = [];
      for (let i = 0; i < n; i++) out.push((await stream.next()).value as RunUpdate);
      await stream.return();
      return out.map((u) => [u.runId === g.id ? 'good' : 'broken', u.status, u.previousStatus]);
    };
    expect(await take(all, 4)).toEqual([
      ['good', 'RUNNING', null],
      ['good', 'COMPLETED', 'RUNNING'],
      ['broken', 'RUNNING', null],
      ['broken', 'FAILED', 'RUNNING'],
    ]);
    expect(await take(failedOnly, 1)).toEqual([['broken', 'FAILED', 'RUNNING']]);
    expect(await take(goodOnly, 2)).toEqual([
      ['good', 'RUNNING', null],
      ['good', 'COMPLETED', 'RUNNING'],
    ]);
    expect(await take(parallelOnly, 2)).toEqual([
      ['broken', 'RUNNING', null],
      ['broken', 'FAILED', 'RUNNING'],
    ]);
    expect(bus.listenerCount('run.updates')).toBe(0);
    const last = bus.updates.at(-1)?.update;
    expect(last).toEqual({
      runId: b.id,
      workflowId: 'broken',
      workflowVersion: 1,
      pattern: 'PARALLEL',
      status: 'FAILED',
      previousStatus: 'RUNNING',
      at: expect.any(Number),
      error: expect.objectContaining({ kind: 'AGENT_FAILURE', message: 'agent "bad" failed: nope' }),
    });
  });

  it('breakerTransitions and domainEvents release their listeners on return()', async () => {
    const { orchestrator, bus } = await startEngine({ agents: [new TestAgent('a')] });
    const transitions = orchestrator.breakerTransitions();
    const forA = orchestrator.breakerTransitions('a');
    const domain = orchestrator.domainEvents();
    expect(bus.listenerCount('breaker.transitions')).toBe(2);
    expect(bus.listenerCount('domain.events')).toBe(1);
    const pending = transitions.next();
    await transitions.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount('breaker.transitions')).toBe(1);
    await forA[Symbol.asyncDispose]();
    await domain.return();
    expect(bus.listenerCount('breaker.transitions')).toBe(0);
    expect(bus.listenerCount('domain.events')).toBe(0);
  });
});

describe('EventStream', () => {
  it('fails a subscriber that falls maxBuffered values behind, after the values it had', async () => {
    const stream = new EventStream<number>({ maxBuffered: 3 });
    let released = 0;
    stream.onDispose(() => released++);
    for (let i = 1; i <= 4; i++) stream.push(i);
    expect(released).toBe(1);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    expect(await stream.next()).toEqual({ value: 3, done: false });
    await expect(stream.next()).rejects.toBeInstanceOf(SlowSubscriberError);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('fail() rejects a consumer that is already waiting, once, then the stream is done', async () => {
    const stream = new EventStream<number>();
    const waiting = stream.next();
    const error = new Error('source failed');
    stream.fail(error);
    await expect(waiting).rejects.toBe(error);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('end() delivers what was pushed, then done; onDispose after the end runs at once', async () => {
    const stream = new EventStream<string>();
    stream.push('a');
    stream.end();
    stream.push('ignored');
    expect(await drain(stream)).toEqual(['a']);
    let ran = false;
    stream.onDispose(() => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});

describe('log shape of a step that never started its agent', () => {
  it('keeps the sequence well formed when a run is cancelled before its first flush', async () => {
    const agent = new TestAgent('a', { behaviours: { run: controlled() } });
    const { orchestrator } = await startEngine({ agents: [agent] });
    await orchestrator.registerWorkflow({
      id: 'w',
      name: 'w',
      pattern: 'SEQUENTIAL',
      steps: [{ id: 's', agent: 'a', action: 'run' }],
    });
    const run = await orchestrator.executeWorkflow('w', {});
    const ended = await orchestrator.cancelRun(run.id);
    expect(ended.status).toBe('CANCELLED');
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual(['RUN_STARTED', 'STEP_STARTED:s', 'STEP_FAILED:s', 'RUN_CANCELLED']);
  });
});
