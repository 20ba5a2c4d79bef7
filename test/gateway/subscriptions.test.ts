/**
 * The other subscriptions: `runUpdates(filter)` delivers exactly the matching status changes, `stats`
 * a snapshot at once and then periodically, `domainEvents` what runs and clients publish. A subscription
 * that ends (the client unsubscribes, disconnects, or aborts its SSE request) releases its engine
 * listeners: the bus's listener count goes back to zero.
 */

import { describe, expect, it } from 'vitest';
import {
  CircuitBreakerChangedSubscription,
  DomainEventsSubscription,
  PublishEventMutation,
  RunEventsSubscription,
  RunUpdatesSubscription,
  StatsSubscription,
} from '../../src/client/operations.ts';
import { failing, held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { startRun } from './support/runs.ts';
import { connectWs, query, subscribeSse, subscribeWs } from './support/transports.ts';

const workflows = [
  { id: 'good', name: 'Good', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'echo', action: 'run' }] },
  { id: 'bad', name: 'Bad', pattern: 'PARALLEL', steps: [{ id: 's', agent: 'broken', action: 'run' }] },
  { id: 'slow', name: 'Slow', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'holder', action: 'run' }] },
  {
    id: 'orders',
    name: 'Orders',
    pattern: 'EVENT_DRIVEN',
    trigger: 'order.placed',
    steps: [
      { id: 'validate', agent: 'echo', action: 'run', on: 'order.placed', emit: 'order.validated' },
      { id: 'ship', agent: 'echo', action: 'run', on: 'order.validated', terminal: true },
    ],
  },
];

async function gateway() {
  const holder = new ScriptedAgent('holder', { behaviour: held });
  const h = await startHarness({
    agents: [new ScriptedAgent('echo'), new ScriptedAgent('broken', { behaviour: failing() }), holder],
    workflows,
  });
  return { h, holder, url: h.gateway.url };
}

describe('runUpdates', () => {
  it('delivers the status changes matching the filter, over WebSocket and SSE', async () => {
    const { h, url } = await gateway();
    const ws = connectWs(h.gateway.wsUrl);
    const good = subscribeWs(ws, RunUpdatesSubscription, { filter: { workflowId: 'good' } });
    const failures = await subscribeSse(url, RunUpdatesSubscription, { filter: { status: ['FAILED'] } });
    const parallel = subscribeWs(ws, RunUpdatesSubscription, { filter: { pattern: ['PARALLEL'] } });
    await h.bus.listeners('run.updates', 3);

    const run = async (workflowId: string) =>
      (await h.engine.executeWorkflow(workflowId, {}, { wait: true })).id;
    const g1 = await run('good');
    const b1 = await run('bad');
    const g2 = await run('good');
    const b2 = await run('bad');

    const names = new Map([
      [g1, 'g1'],
      [g2, 'g2'],
      [b1, 'b1'],
      [b2, 'b2'],
    ]);
    const summary = (update: { runId: string; status: string; previousStatus: string | null } | undefined) =>
      `${names.get(update?.runId ?? '')} ${update?.previousStatus ?? '-'}→${update?.status}`;
    const goodUpdates = (await good.feed.take(4)).map((r) => summary(r.data?.runUpdates));
    expect(goodUpdates).toEqual([
      'g1 -→RUNNING',
      'g1 RUNNING→COMPLETED',
      'g2 -→RUNNING',
      'g2 RUNNING→COMPLETED',
    ]);
    const failed = (await failures.feed.take(2)).map((r) => r.data?.runUpdates);
    expect(failed.map(summary)).toEqual(['b1 RUNNING→FAILED', 'b2 RUNNING→FAILED']);
    expect(failed[0]).toMatchObject({
      workflowId: 'bad',
      pattern: 'PARALLEL',
      run: { runId: b1, status: 'FAILED' },
    });
    const parallelUpdates = (await parallel.feed.take(4)).map((r) => summary(r.data?.runUpdates));
    expect(parallelUpdates).toEqual([
      'b1 -→RUNNING',
      'b1 RUNNING→FAILED',
      'b2 -→RUNNING',
      'b2 RUNNING→FAILED',
    ]);
    // Nothing else arrived in between: the next good update is the next good run's.
    const g3 = await run('good');
    expect((await good.feed.next()).data?.runUpdates).toMatchObject({ runId: g3, status: 'RUNNING' });

    failures.abort();
    await ws.dispose();
  });
});

describe('stats', () => {
  it('delivers a snapshot at once, then every intervalMs', async () => {
    const { h, url } = await gateway();
    const ws = connectWs(h.gateway.wsUrl);
    const { feed } = subscribeWs(ws, StatsSubscription, { intervalMs: 100 });
    const first = await feed.next();
    expect(first.data?.stats.runs).toEqual({ total: 0, succeeded: 0, running: 0 });
    await h.engine.executeWorkflow('good', {}, { wait: true });
    // A later snapshot counts the run.
    const later = await feed.until((r) => r.data?.stats.runs.total === 1);
    expect(later.data?.stats.runs).toEqual({ total: 1, succeeded: 1, running: 0 });

    const sse = await subscribeSse(url, StatsSubscription, { intervalMs: 100 });
    expect((await sse.feed.next()).data?.stats.runs.total).toBe(1);
    sse.abort();
    await ws.dispose();
  });

  it('refuses an interval under 100 ms', async () => {
    const { h, url } = await gateway();
    const response = await subscribeSse(url, StatsSubscription, { intervalMs: 10 });
    const [result] = await response.feed.all();
    expect(result?.errors?.[0]).toMatchObject({ path: ['stats'], extensions: { code: 'BAD_USER_INPUT' } });
    // The caller's mistake is not logged as a server error.
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('domainEvents and publishEvent', () => {
  it('a published event starts the workflows it triggers; their events reach domainEvents subscribers', async () => {
    const { h, url } = await gateway();
    const ws = connectWs(h.gateway.wsUrl);
    const validated = subscribeWs(ws, DomainEventsSubscription, { name: 'order.validated' });
    const all = subscribeWs(ws, DomainEventsSubscription, {});
    await h.bus.listeners('domain.events', 2);

    const published = await query(url, PublishEventMutation, {
      input: { name: 'order.placed', payload: { order: 7 } },
    });
    if (published.publishEvent.__typename !== 'PublishEventSuccess') throw new Error('not published');
    expect(published.publishEvent.event).toEqual({ name: 'order.placed', payload: { order: 7 } });
    expect(published.publishEvent.runs).toHaveLength(1);
    const runId = published.publishEvent.runs[0]?.runId as string;

    const fromRun = (await validated.feed.next()).data?.domainEvents;
    expect(fromRun).toMatchObject({ name: 'order.validated', runId });
    // Unfiltered: the outside publication, the run's trigger, then the step's emission.
    const names = (await all.feed.take(3)).map((r) => [
      r.data?.domainEvents.name,
      r.data?.domainEvents.runId,
    ]);
    expect(names).toEqual([
      ['order.placed', null],
      ['order.placed', runId],
      ['order.validated', runId],
    ]);
    const events = await subscribeWs(ws, RunEventsSubscription, { runId }).feed.all();
    expect(events.at(-1)?.data?.runEvents.type).toBe('RUN_COMPLETED');
    await ws.dispose();
  });
});

describe('releasing engine listeners', () => {
  it('unsubscribing, disconnecting and aborting SSE release every bus listener', async () => {
    const { h, url } = await gateway();
    const runId = await startRun(url, 'slow');
    const runTopic = `run:${runId}` as const;

    const ws = connectWs(h.gateway.wsUrl);
    const subscriptions = [
      subscribeWs(ws, RunEventsSubscription, { runId }),
      subscribeWs(ws, RunUpdatesSubscription, {}),
      subscribeWs(ws, CircuitBreakerChangedSubscription, {}),
      subscribeWs(ws, DomainEventsSubscription, {}),
    ];
    await Promise.all([
      h.bus.listeners(runTopic, 1),
      h.bus.listeners('run.updates', 1),
      h.bus.listeners('breaker.transitions', 1),
      h.bus.listeners('domain.events', 1),
    ]);

    // The client unsubscribes from each: the server disposes the engine streams.
    for (const subscription of subscriptions) subscription.unsubscribe();
    await Promise.all([
      h.bus.listeners(runTopic, 0),
      h.bus.listeners('run.updates', 0),
      h.bus.listeners('breaker.transitions', 0),
      h.bus.listeners('domain.events', 0),
    ]);

    // The client goes away with subscriptions open.
    const again = connectWs(h.gateway.wsUrl);
    subscribeWs(again, RunEventsSubscription, { runId });
    subscribeWs(again, RunUpdatesSubscription, {});
    await Promise.all([h.bus.listeners(runTopic, 1), h.bus.listeners('run.updates', 1)]);
    await again.dispose();
    await Promise.all([h.bus.listeners(runTopic, 0), h.bus.listeners('run.updates', 0)]);

    // An SSE client aborts its request.
    const sse = await subscribeSse(url, RunEventsSubscription, { runId });
    await sse.feed.next();
    expect(h.bus.listenerCount(runTopic)).toBe(1);
    sse.abort();
    await h.bus.listeners(runTopic, 0);
    await ws.dispose();
  });

  it('a completed runEvents subscription leaves no listener', async () => {
    const { h, holder, url } = await gateway();
    const runId = await startRun(url, 'slow');
    const ws = connectWs(h.gateway.wsUrl);
    const { feed } = subscribeWs(ws, RunEventsSubscription, { runId });
    await h.bus.listeners(`run:${runId}`, 1);
    (await holder.call(1)).release({});
    expect((await feed.all()).at(-1)?.data?.runEvents.type).toBe('RUN_COMPLETED');
    expect(h.bus.listenerCount(`run:${runId}`)).toBe(0);
    await ws.dispose();
  });
});
