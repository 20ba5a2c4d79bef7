/**
 * Identical WebSocket subscriptions to live-only fields (`runUpdates`, `circuitBreakerChanged`,
 * `domainEvents`) share one execution: one engine listener however many subscribers, each of whom
 * receives exactly what it would have alone. Sharing never crosses roles or variables, a subscriber
 * that leaves or falls behind does not disturb the others, and the last one to leave releases the
 * listener.
 */

import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreakerChangedSubscription,
  DomainEventsSubscription,
  RunUpdatesSubscription,
} from '../../src/client/operations.ts';
import { ScriptedAgent } from './support/agents.ts';
import { type HarnessOptions, startHarness } from './support/harness.ts';
import { connectWs, subscribeWs } from './support/transports.ts';

const workflows = [
  { id: 'good', name: 'Good', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'echo', action: 'run' }] },
];

const gateway = (options: HarnessOptions = {}) =>
  startHarness({ agents: [new ScriptedAgent('echo')], workflows, ...options });

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
    const h = await gateway({ subscriberBufferBytes: 64 * 1024 });
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
});
