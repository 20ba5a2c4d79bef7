/**
 * Identical WebSocket subscriptions (`runUpdates`, `circuitBreakerChanged`, `domainEvents`,
 * `runEvents`) share one execution: one engine listener however many subscribers, each of whom receives
 * exactly what it would have alone, a late `runEvents` joiner included. Sharing never crosses roles or
 * variables, a subscriber that leaves or falls behind does not disturb the others, and the last one to
 * leave releases the listener.
 */

import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreakerChangedSubscription,
  DomainEventsSubscription,
  RunEventsSubscription,
  RunUpdatesSubscription,
} from '../../src/client/operations.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { type HarnessOptions, startHarness } from './support/harness.ts';
import { startRun } from './support/runs.ts';
import { connectWs, subscribeWs } from './support/transports.ts';

const workflows = [
  { id: 'good', name: 'Good', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'echo', action: 'run' }] },
  {
    id: 'two',
    name: 'Two held steps',
    pattern: 'SEQUENTIAL',
    steps: [
      { id: 'a', agent: 'holder', action: 'run' },
      { id: 'b', agent: 'holder', action: 'run' },
    ],
  },
];

const holder = () => new ScriptedAgent('holder', { behaviour: held });

const gateway = (options: HarnessOptions = {}) =>
  startHarness({ agents: [new ScriptedAgent('echo'), holder()], workflows, ...options });

describe('shared subscriptions', () => {
  it('identical runUpdates subscriptions share one engine listener and each receives every update', async () => {
    const h = await gateway();
    const connections = [connectWs(h.gateway.wsUrl), connectWs(h.gateway.wsUrl), connectWs(h.gateway.wsUrl)];
    const subscriptions = connections.map((ws) => subscribeWs(ws, RunUpdatesSubscription, {}));
    // Two operations on one socket are two subscribers too.
    subscriptions.push(subscribeWs(connections[0]!, RunUpdatesSubscription, {}));
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(4));
    expect(h.bus.listenerCount('run.updates')).toBe(1);

    const first = await h.engine.executeWorkflow('good', {}, { wait: true });
    const second = await h.engine.executeWorkflow('good', {}, { wait: true });
    const expected = [
      [first.id, 'RUNNING'],
      [first.id, 'COMPLETED'],
      [second.id, 'RUNNING'],
      [second.id, 'COMPLETED'],
    ];
    for (const { feed } of subscriptions) {
      const updates = await feed.take(4);
      expect(updates.map((r) => [r.data?.runUpdates.runId, r.data?.runUpdates.status])).toEqual(expected);
    }
    await Promise.all(connections.map((ws) => ws.dispose()));
    await h.bus.listeners('run.updates', 0);
  });

  it('a subscriber that leaves does not end the others; the last to leave releases the listener', async () => {
    const h = await gateway();
    const ws = connectWs(h.gateway.wsUrl);
    const leaving = subscribeWs(ws, RunUpdatesSubscription, {});
    const staying = subscribeWs(ws, RunUpdatesSubscription, {});
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(2));

    leaving.unsubscribe();
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(1));
    expect(h.bus.listenerCount('run.updates')).toBe(1);
    const run = await h.engine.executeWorkflow('good', {}, { wait: true });
    expect((await staying.feed.take(2)).map((r) => r.data?.runUpdates.status)).toEqual([
      'RUNNING',
      'COMPLETED',
    ]);
    expect(leaving.feed.items).toEqual([]);

    // A subscriber that joins the group later receives what happens from then on.
    const late = subscribeWs(ws, RunUpdatesSubscription, {});
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(2));
    const next = await h.engine.executeWorkflow('good', {}, { wait: true });
    expect((await late.feed.take(2)).map((r) => r.data?.runUpdates.runId)).toEqual([next.id, next.id]);
    expect((await staying.feed.take(2)).map((r) => r.data?.runUpdates.runId)).toEqual([next.id, next.id]);
    expect(run.id).not.toBe(next.id);

    staying.unsubscribe();
    late.unsubscribe();
    await h.bus.listeners('run.updates', 0);
    await ws.dispose();
  });

  it('never shares between roles, or between different variables', async () => {
    const h = await gateway({ apiKeys: { 'viewer-key': 'viewer', 'admin-key': 'admin' } });
    const viewer = connectWs(h.gateway.wsUrl, { authorization: 'Bearer viewer-key' });
    const admin = connectWs(h.gateway.wsUrl, { authorization: 'Bearer admin-key' });
    subscribeWs(viewer, RunUpdatesSubscription, {});
    subscribeWs(admin, RunUpdatesSubscription, {});
    subscribeWs(admin, RunUpdatesSubscription, { filter: { workflowId: 'good' } });
    await h.bus.listeners('run.updates', 3);
    await Promise.all([viewer.dispose(), admin.dispose()]);
    await h.bus.listeners('run.updates', 0);
  });

  it('an operation that fails to open fails for each subscriber, and leaves nothing behind', async () => {
    const h = await gateway();
    const a = connectWs(h.gateway.wsUrl);
    const b = connectWs(h.gateway.wsUrl);
    const results = await Promise.all(
      [a, b].map((ws) => subscribeWs(ws, CircuitBreakerChangedSubscription, { agent: 'nobody' }).feed.all()),
    );
    for (const [result] of results) {
      expect(result?.errors?.[0]).toMatchObject({
        path: ['circuitBreakerChanged'],
        extensions: { code: 'NOT_FOUND' },
      });
    }
    expect(h.gateway.sharedSubscribers).toBe(0);
    expect(h.bus.listenerCount('breaker.transitions')).toBe(0);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('a subscriber that stops reading is cut off with an error; the others receive everything', async () => {
    const h = await gateway({ sharedSubscriptions: { maxBufferedBytes: 64 * 1024 } });
    const reader = connectWs(h.gateway.wsUrl);
    const stalled = connectWs(h.gateway.wsUrl);
    const reading = subscribeWs(reader, DomainEventsSubscription, {});
    const stalling = subscribeWs(stalled, DomainEventsSubscription, {});
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(2));
    const socket = await stalled.socket;
    socket.pause();

    // 200 events of 64 KiB: 12.5 MiB, more than the kernel buffers of a loopback connection hold.
    const text = 'x'.repeat(64 * 1024);
    const count = 200;
    // One event per turn of the event loop, as they would come from clients.
    for (let i = 0; i < count; i++) {
      await h.engine.publishEvent('bulk', { i, text });
      await new Promise((resolve) => setImmediate(resolve));
    }

    const numbers = (results: typeof reading.feed.items) =>
      results.map((r) => (r.data?.domainEvents.payload as { i: number } | undefined)?.i);
    expect(numbers(await reading.feed.take(count))).toEqual(Array.from({ length: count }, (_, i) => i));
    socket.resume();
    const end = await stalling.feed.done;
    expect(end.kind).toBe('error');
    expect(JSON.stringify(end)).toMatch(/fell \d+ bytes of results behind; subscribe again/);
    // What it did receive before the cut is the start of the sequence, in order.
    const got = numbers(stalling.feed.items);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    expect(got.length).toBeLessThan(count);
    expect(h.gateway.sharedSubscribers).toBe(1);
    await Promise.all([reader.dispose(), stalled.dispose()]);
  });

  it('a late runEvents subscriber receives the events it missed from the group, then the live ones', async () => {
    const agent = holder();
    const h = await startHarness({ agents: [new ScriptedAgent('echo'), agent], workflows });
    const runId = await startRun(h.gateway.url, 'two');
    const first = connectWs(h.gateway.wsUrl);
    const early = subscribeWs(first, RunEventsSubscription, { runId });
    const [started, stepA] = await early.feed.take(2);
    expect([started?.data?.runEvents.type, stepA?.data?.runEvents.type]).toEqual([
      'RUN_STARTED',
      'STEP_STARTED',
    ]);

    (await agent.call(1)).release({});
    await early.feed.until((r) => r.data?.runEvents.stepId === 'b');
    // Joins after four events, on another connection: it receives them from the group, not the store.
    const second = connectWs(h.gateway.wsUrl);
    const late = subscribeWs(second, RunEventsSubscription, { runId });
    await vi.waitFor(() => expect(h.gateway.sharedSubscribers).toBe(2));
    expect(h.bus.listenerCount(`run:${runId}`)).toBe(1);
    const reads = h.storeCalls.get('getEvents') ?? 0;

    (await agent.call(2)).release({});
    const sequence = (feed: typeof early.feed) =>
      feed.all().then((results) => results.map((r) => [r.data?.runEvents.seq, r.data?.runEvents.type]));
    const all = await sequence(early.feed);
    expect(all.map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.at(-1)?.[1]).toBe('RUN_COMPLETED');
    expect(await sequence(late.feed)).toEqual(all);
    expect(h.storeCalls.get('getEvents') ?? 0).toBe(reads);
    await h.bus.listeners(`run:${runId}`, 0);
    await Promise.all([first.dispose(), second.dispose()]);
  });

  it('runEvents subscribers after different seqs, or beyond the history a group keeps, get streams of their own', async () => {
    const agent = holder();
    const h = await startHarness({
      agents: [new ScriptedAgent('echo'), agent],
      workflows,
      sharedSubscriptions: { maxReplayBytes: 100 },
    });
    const runId = await startRun(h.gateway.url, 'two');
    const ws = connectWs(h.gateway.wsUrl);
    const fromStart = subscribeWs(ws, RunEventsSubscription, { runId });
    const fromSeq1 = subscribeWs(ws, RunEventsSubscription, { runId, afterSeq: 1 });
    await h.bus.listeners(`run:${runId}`, 2);
    // Two events of some 150 bytes each: more history than this group may keep.
    await fromStart.feed.take(2);
    const late = subscribeWs(ws, RunEventsSubscription, { runId });
    await h.bus.listeners(`run:${runId}`, 3);

    (await agent.call(1)).release({});
    (await agent.call(2)).release({});
    const seqs = async (feed: typeof fromStart.feed) => (await feed.all()).map((r) => r.data?.runEvents.seq);
    expect(await seqs(fromStart.feed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await seqs(late.feed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await seqs(fromSeq1.feed)).toEqual([2, 3, 4, 5, 6]);
    await ws.dispose();
  });
});
