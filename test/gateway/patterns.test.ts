/**
 * "A workflow of each pattern executed through `executeWorkflow`, its events received in order over
 * WebSocket and SSE."
 *
 * Each run is started over HTTP and held on its first agent call, so both subscribers attach to a run
 * that is truly in progress (replay, then live). The test then releases the agents in a chosen order,
 * which makes the event sequence exact, and checks that WebSocket and SSE delivered the same complete log
 * (seq 1..n, one terminal event, last), and that the run's final status and output read back over HTTP
 * agree with it.
 */

import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../src/engine/json.ts';
import { type Call, held, reply, ScriptedAgent } from './support/agents.ts';
import { type Harness, startHarness } from './support/harness.ts';
import {
  type EventFeed,
  expectCompleteLog,
  followSse,
  followWs,
  getRun,
  startRun,
  summary,
} from './support/runs.ts';
import { connectWs } from './support/transports.ts';

interface PatternCase {
  pattern: string;
  agents: () => ScriptedAgent[];
  workflow: JsonObject;
  input: JsonObject;
  /** Releases the held calls; `ws` is the WebSocket feed, to wait for events between releases. */
  drive: (agent: ScriptedAgent, ws: EventFeed) => Promise<void>;
  sequence: string[];
  status: string;
  output: JsonValue | null;
}

/** One agent, `worker`, whose behaviour the case decides. */
const worker = (
  behaviours: Record<string, (call: Call) => Promise<JsonValue> | JsonValue>,
  actions?: string[],
) => new ScriptedAgent('worker', { actions: actions ?? Object.keys(behaviours), behaviours });

const num = (value: JsonValue | undefined): number => (typeof value === 'number' ? value : Number.NaN);

const CASES: PatternCase[] = [
  {
    pattern: 'SEQUENTIAL',
    agents: () => [
      worker({
        fetch: held,
        analyse: reply((p) => ({ doubled: num(p.rows) * 2 })),
      }),
    ],
    workflow: {
      id: 'seq',
      name: 'Sequential',
      pattern: 'SEQUENTIAL',
      steps: [
        { id: 'fetch', agent: 'worker', action: 'fetch', outputMapping: { rows: 'rows' } },
        { id: 'analyse', agent: 'worker', action: 'analyse' },
      ],
    },
    input: {},
    drive: async (agent) => {
      (await agent.call(1)).release({ rows: 3 });
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:fetch',
      'STEP_COMPLETED:fetch',
      'STEP_STARTED:analyse',
      'STEP_COMPLETED:analyse',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { doubled: 6 },
  },
  {
    pattern: 'PARALLEL',
    agents: () => [worker({ run: held })],
    workflow: {
      id: 'par',
      name: 'Parallel',
      pattern: 'PARALLEL',
      steps: ['a', 'b', 'c'].map((id) => ({ id, agent: 'worker', action: 'run' })),
    },
    input: {},
    drive: async (agent, ws) => {
      const [a, b, c] = await Promise.all([agent.call(1), agent.call(2), agent.call(3)]);
      // Completion order c, a, b: the log follows what happened, not the declaration order.
      c.release({ n: 3 });
      await ws.until('STEP_COMPLETED', 'c');
      a.release({ n: 1 });
      await ws.until('STEP_COMPLETED', 'a');
      b.release({ n: 2 });
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:a',
      'STEP_STARTED:b',
      'STEP_STARTED:c',
      'STEP_COMPLETED:c',
      'STEP_COMPLETED:a',
      'STEP_COMPLETED:b',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { a: { n: 1 }, b: { n: 2 }, c: { n: 3 } },
  },
  {
    pattern: 'FAN_OUT_FAN_IN',
    agents: () => [
      worker({
        count: held,
        total: reply((p) => ({
          total: num((p.merged as JsonObject).count),
          branches: Object.keys(p.branches as JsonObject),
        })),
      }),
    ],
    workflow: {
      id: 'fan',
      name: 'Fan out, fan in',
      pattern: 'FAN_OUT_FAN_IN',
      merge: { strategy: 'MERGE', rules: { count: 'SUM' } },
      steps: [
        { id: 'north', agent: 'worker', action: 'count' },
        { id: 'south', agent: 'worker', action: 'count' },
        { id: 'total', agent: 'worker', action: 'total', fanIn: true },
      ],
    },
    input: {},
    drive: async (agent, ws) => {
      const [north, south] = await Promise.all([agent.call(1), agent.call(2)]);
      south.release({ count: 2 });
      await ws.until('STEP_COMPLETED', 'south');
      north.release({ count: 5 });
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:north',
      'STEP_STARTED:south',
      'STEP_COMPLETED:south',
      'STEP_COMPLETED:north',
      'STEP_STARTED:total',
      'STEP_COMPLETED:total',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { total: 7, branches: ['north', 'south'] },
  },
  {
    pattern: 'CONDITIONAL',
    agents: () => [
      worker({ score: held, high: reply(() => ({ route: 'high' })), low: reply(() => ({ route: 'low' })) }),
    ],
    workflow: {
      id: 'route',
      name: 'Conditional',
      pattern: 'CONDITIONAL',
      steps: [
        {
          id: 'score',
          agent: 'worker',
          action: 'score',
          next: {
            when: [{ condition: { path: 'steps.score.output.score', op: 'gt', value: 50 }, next: 'high' }],
            otherwise: 'low',
          },
        },
        { id: 'high', agent: 'worker', action: 'high' },
        { id: 'low', agent: 'worker', action: 'low' },
      ],
    },
    input: {},
    drive: async (agent) => {
      (await agent.call(1)).release({ score: 80 });
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:score',
      'STEP_COMPLETED:score',
      'STEP_STARTED:high',
      'STEP_COMPLETED:high',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { route: 'high' },
  },
  {
    pattern: 'SAGA',
    agents: () => [
      worker({
        reserve: held,
        charge: () => {
          throw new Error('card declined');
        },
        cancelReservation: reply((p) => ({ cancelled: (p.output as JsonObject).reservation ?? null })),
      }),
    ],
    workflow: {
      id: 'saga',
      name: 'Saga',
      pattern: 'SAGA',
      steps: [
        { id: 'reserve', agent: 'worker', action: 'reserve', compensation: { action: 'cancelReservation' } },
        { id: 'charge', agent: 'worker', action: 'charge' },
      ],
    },
    input: {},
    drive: async (agent) => {
      (await agent.call(1)).release({ reservation: 'r-1' });
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:reserve',
      'STEP_COMPLETED:reserve',
      'STEP_STARTED:charge',
      'STEP_FAILED:charge',
      'COMPENSATION_STARTED:reserve',
      'COMPENSATION_COMPLETED:reserve',
      'RUN_COMPENSATED',
    ],
    status: 'COMPENSATED',
    output: null,
  },
  {
    pattern: 'MAP_REDUCE',
    agents: () => [
      worker({
        square: (call) => (call.payload.index === 0 ? held(call) : num(call.payload.item) ** 2),
        sum: reply((p) => ({ sum: (p.results as number[]).reduce((a, b) => a + b, 0) })),
      }),
    ],
    workflow: {
      id: 'mr',
      name: 'Map reduce',
      pattern: 'MAP_REDUCE',
      steps: [
        { id: 'square', agent: 'worker', action: 'square', map: { items: 'input.numbers', concurrency: 1 } },
        { id: 'sum', agent: 'worker', action: 'sum', reduce: true },
      ],
    },
    input: { numbers: [1, 2, 3] },
    drive: async (agent) => {
      (await agent.call(1)).release(1);
    },
    sequence: [
      'RUN_STARTED',
      'STEP_STARTED:square',
      'STEP_COMPLETED:square',
      'STEP_STARTED:square',
      'STEP_COMPLETED:square',
      'STEP_STARTED:square',
      'STEP_COMPLETED:square',
      'STEP_STARTED:sum',
      'STEP_COMPLETED:sum',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { sum: 14 },
  },
  {
    pattern: 'EVENT_DRIVEN',
    agents: () => [
      worker({ validate: held, ship: reply((p) => ({ shipped: (p.event as JsonObject).name ?? null })) }),
    ],
    workflow: {
      id: 'orders',
      name: 'Event driven',
      pattern: 'EVENT_DRIVEN',
      trigger: 'order.placed',
      steps: [
        { id: 'validate', agent: 'worker', action: 'validate', on: 'order.placed', emit: 'order.validated' },
        { id: 'ship', agent: 'worker', action: 'ship', on: 'order.validated', terminal: true },
      ],
    },
    input: { order: 42 },
    drive: async (agent) => {
      (await agent.call(1)).release({ valid: true });
    },
    sequence: [
      'RUN_STARTED',
      'EVENT_EMITTED',
      'STEP_STARTED:validate',
      'STEP_COMPLETED:validate',
      'EVENT_EMITTED:validate',
      'STEP_STARTED:ship',
      'STEP_COMPLETED:ship',
      'RUN_COMPLETED',
    ],
    status: 'COMPLETED',
    output: { shipped: 'order.validated' },
  },
];

describe('every pattern, executed through executeWorkflow and followed over WebSocket and SSE', () => {
  it('covers all seven patterns', () => {
    expect(CASES.map((c) => c.pattern).sort()).toEqual(
      [
        'CONDITIONAL',
        'EVENT_DRIVEN',
        'FAN_OUT_FAN_IN',
        'MAP_REDUCE',
        'PARALLEL',
        'SAGA',
        'SEQUENTIAL',
      ].sort(),
    );
  });

  it.each(CASES)('$pattern: events in order on both transports, then the final run', async (c) => {
    const agents = c.agents();
    const h: Harness = await startHarness({ agents, workflows: [c.workflow] });
    const url = h.gateway.url;
    const runId = await startRun(url, c.workflow.id as string, c.input);
    const agent = agents[0] as ScriptedAgent;
    await agent.call(1);
    // The run is held on its first agent call: both subscribers join it mid-way.
    expect((await getRun(url, runId)).status).toBe('RUNNING');

    const ws = connectWs(h.gateway.wsUrl);
    const viaWs = followWs(ws, runId);
    const viaSse = await followSse(url, runId);
    expect((await viaWs.events.next()).type).toBe('RUN_STARTED');
    expect((await viaSse.events.next()).type).toBe('RUN_STARTED');

    await c.drive(agent, viaWs.events);

    const wsEvents = await viaWs.events.all();
    const sseEvents = await viaSse.events.all();
    expect(summary(wsEvents)).toEqual(c.sequence);
    expectCompleteLog(wsEvents, runId);
    expect(sseEvents).toEqual(wsEvents);

    const run = await getRun(url, runId);
    expect(run.status).toBe(c.status);
    expect(run.pattern).toBe(c.pattern);
    expect(run.output).toEqual(c.output);
    expect(wsEvents.at(-1)?.data).toMatchObject({ status: c.status });
    await ws.dispose();
  });
});
