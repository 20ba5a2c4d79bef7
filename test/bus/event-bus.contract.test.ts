/**
 * The EventBus contract, run against every bus: the in-process one always, the Redis one when
 * ORQUESTRA_TEST_REDIS_URL is set (each test on its own channel prefix, on the real server).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { RedisEventBus } from '../../src/bus/redis-event-bus.ts';
import { type EventBus, InMemoryEventBus, type RunEvent, type RunUpdate } from '../../src/engine/index.ts';

const REDIS = process.env.ORQUESTRA_TEST_REDIS_URL;

const event = (runId: string, seq: number): RunEvent => ({
  runId,
  seq,
  type: 'STEP_STARTED',
  at: 1_700_000_000_000 + seq,
  stepId: 's',
  agent: 'a',
  attempt: 1,
  message: `event ${seq}`,
  data: { execution: seq, nested: { list: [1, 'two', null] } },
});

/** Collects what a listener receives and resolves once it has `count` of them. */
function collector<T>() {
  const received: T[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  return {
    received,
    listener: (value: T) => {
      received.push(value);
      for (const w of waiting) if (received.length >= w.count) w.resolve();
    },
    until: (count: number) =>
      received.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ count, resolve })),
  };
}

const buses: { name: string; create: () => Promise<{ bus: EventBus; other: EventBus | null }> }[] = [
  {
    name: 'in-process',
    create: async () => ({ bus: new InMemoryEventBus({ onListenerError: () => {} }), other: null }),
  },
];
if (REDIS) {
  buses.push({
    name: 'Redis',
    create: async () => {
      const prefix = `orquestra-test:${process.pid}:${Date.now()}:${Math.random()}:`;
      const errors: unknown[] = [];
      const options = { url: REDIS, prefix, onListenerError: (error: unknown) => errors.push(error) };
      return { bus: await RedisEventBus.connect(options), other: await RedisEventBus.connect(options) };
    },
  });
}

const opened: EventBus[] = [];
afterEach(async () => {
  for (const bus of opened.splice(0)) await bus.close();
});

describe.each(buses)('EventBus contract: $name', ({ create }) => {
  const open = async () => {
    const { bus, other } = await create();
    opened.push(bus, ...(other ? [other] : []));
    return { bus, other };
  };

  it('delivers a topic in publication order, payloads intact, to every listener of that topic only', async () => {
    const { bus } = await open();
    const a = collector<RunEvent>();
    const b = collector<RunEvent>();
    const elsewhere = collector<RunEvent>();
    const subscriptions = [
      bus.subscribe('run:r1', a.listener),
      bus.subscribe('run:r1', b.listener),
      bus.subscribe('run:r2', elsewhere.listener),
    ];
    await Promise.all(subscriptions.map((s) => s.ready));
    for (let seq = 1; seq <= 50; seq++) bus.publish('run:r1', event('r1', seq));
    await Promise.all([a.until(50), b.until(50)]);
    expect(a.received).toEqual(Array.from({ length: 50 }, (_, i) => event('r1', i + 1)));
    expect(b.received).toEqual(a.received);
    expect(elsewhere.received).toEqual([]);
  });

  it('stops delivering once disposed, and counts listeners back to zero', async () => {
    const { bus } = await open();
    const kept = collector<RunUpdate>();
    const dropped = collector<RunUpdate>();
    const keep = bus.subscribe('run.updates', kept.listener);
    const drop = bus.subscribe('run.updates', dropped.listener);
    await Promise.all([keep.ready, drop.ready]);
    expect(bus.listenerCount('run.updates')).toBe(2);
    drop.dispose();
    drop.dispose();
    expect(bus.listenerCount('run.updates')).toBe(1);
    const update = (runId: string): RunUpdate => ({
      runId,
      workflowId: 'w',
      workflowVersion: 1,
      pattern: 'SEQUENTIAL',
      status: 'RUNNING',
      previousStatus: null,
      at: 1,
      error: null,
    });
    bus.publish('run.updates', update('x'));
    bus.publish('run.updates', update('y'));
    await kept.until(2);
    expect(kept.received.map((u) => u.runId)).toEqual(['x', 'y']);
    expect(dropped.received).toEqual([]);
    keep.dispose();
    expect(bus.listenerCount('run.updates')).toBe(0);
  });

  it('a listener that throws does not keep the others from receiving', async () => {
    const { bus } = await open();
    const good = collector<RunEvent>();
    const throwing = bus.subscribe('run:r', () => {
      throw new Error('listener bug');
    });
    const listening = bus.subscribe('run:r', good.listener);
    await Promise.all([throwing.ready, listening.ready]);
    bus.publish('run:r', event('r', 1));
    bus.publish('run:r', event('r', 2));
    await good.until(2);
    expect(good.received.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('a shared bus delivers what one instance publishes to the listeners of another', async ({ skip }) => {
    const { bus, other } = await open();
    if (!other) return skip();
    expect(bus.distributed && other.distributed).toBe(true);
    const remote = collector<RunEvent>();
    const subscription = other.subscribe('run:shared', remote.listener);
    await subscription.ready;
    for (let seq = 1; seq <= 20; seq++) bus.publish('run:shared', event('shared', seq));
    await remote.until(20);
    expect(remote.received.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
