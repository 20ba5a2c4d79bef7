/**
 * The servers the http and fanout rows measure, each started the same way in a child process
 * (bench/lib/server-child.ts) or, for comparison, in the benchmark's own process:
 *
 * - `gateway-memory`, `gateway-sqlite`: the real gateway (`startGateway`) over an Orchestrator with a
 *   no-op agent, on `memory:` or on a SQLite file in a temporary directory.
 * - `floor`: what the gateway would be with nothing of ours in it: a bare `createYoga` server on
 *   `node:http` with a trivial mutation (`ping`, a constant), and graphql-ws wired to yoga the way the
 *   yoga documentation does it, publishing payloads of the engine's shapes through yoga's `createPubSub`.
 *
 * Both kinds can be driven from inside (runs started, or events published, at a fixed rate) so that
 * the fanout clients measure delivery only.
 */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import type { ExecutionArgs } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { useServer } from 'graphql-ws/use/ws';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { RunEvent, RunUpdate } from '../../src/engine/index.ts';
import { eventGate, SEQ3, slowWorkflow, startBenchEngine } from './setup.ts';

export type ServerKind = 'gateway-memory' | 'gateway-sqlite' | 'floor';

export interface Usage {
  /** CPU time of the process over the interval, in % of one core. */
  cpuPercent: number;
  /** Event-loop utilisation over the interval, 0–1. */
  elu: number;
}

export interface BenchServer {
  url: string;
  wsUrl: string;
  /** Live subscriptions of `runUpdates`, or of `runEvents` of `runId`. */
  subscribers(args: { runId?: string }): number;
  /**
   * Runs started at `runsPerSecond` for `seconds` (the floor: a RUNNING and a COMPLETED update
   * published per "run"); resolves once the last one has started, with the number of updates it
   * will have published.
   */
  driveUpdates(args: { runsPerSecond: number; seconds: number }): Promise<{ runs: number; updates: number }>;
  /**
   * Starts one long run whose events come in pairs every `ms` once `openGate()` is called (a map step
   * of `items` items of `ms` each, one at a time, the first one waiting for the gate); the floor
   * publishes the same events at the same pace. Resolves with its id at once.
   */
  startEventRun(args: { items: number; ms: number }): Promise<{ runId: string }>;
  openGate(): void;
  /** Events dropped because a subscriber was too far behind (the floor only; the gateway fails such a subscription instead). */
  dropped(): number;
  usageStart(): void;
  usageEnd(): Usage;
  close(): Promise<void>;
}

export async function startServer(kind: ServerKind): Promise<BenchServer> {
  const usage = usageMeter();
  return kind === 'floor' ? startFloor(usage) : startGatewayServer(kind, usage);
}

type Meter = Pick<BenchServer, 'usageStart' | 'usageEnd'>;

function usageMeter(): Meter {
  let cpu = process.cpuUsage();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let at = performance.now();
  return {
    usageStart() {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      at = performance.now();
    },
    usageEnd() {
      const used = process.cpuUsage(cpu);
      const ms = performance.now() - at;
      return {
        cpuPercent: ((used.user + used.system) / 1000 / ms) * 100,
        elu: performance.eventLoopUtilization(elu).utilization,
      };
    },
  };
}

/** Calls `fire` `perSecond` times a second for `seconds`, catching up when the loop was late. */
function atRate(perSecond: number, seconds: number, fire: () => void): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const total = Math.round(perSecond * seconds);
    let fired = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
      while (fired < due) {
        fired++;
        fire();
      }
      if (fired >= total) resolve(fired);
      else setTimeout(tick, Math.max(0, ((fired / perSecond) * 1000 - (performance.now() - started)) | 0));
    };
    tick();
  });
}

async function startGatewayServer(
  kind: 'gateway-memory' | 'gateway-sqlite',
  usage: Meter,
): Promise<BenchServer> {
  const bench = await startBenchEngine(kind === 'gateway-memory' ? 'memory' : 'sqlite', {
    gateway: true,
    workflows: [SEQ3, slowWorkflow()],
  });
  const { engine } = bench;
  const gateway = bench.gateway!;
  return {
    url: gateway.url,
    wsUrl: gateway.wsUrl,
    // Identical subscriptions share one execution, hence one bus listener.
    subscribers: () => gateway.sharedSubscribers,
    async driveUpdates({ runsPerSecond, seconds }) {
      const runs = await atRate(runsPerSecond, seconds, () => {
        engine
          .executeWorkflow('seq3', {})
          .catch((error: unknown) => console.error('bench: run failed', error));
      });
      return { runs, updates: runs * 2 };
    },
    async startEventRun({ items, ms }) {
      const list = Array.from({ length: items }, (_, i) => (i === 0 ? -1 : ms));
      return { runId: (await engine.executeWorkflow('slow', { items: list })).id };
    },
    openGate: () => eventGate.open(),
    dropped: () => 0,
    ...usage,
    close: () => bench.stop(),
  };
}

const FLOOR_TYPE_DEFS = /* GraphQL */ `
  scalar DateTime
  scalar JSON
  enum Pattern { SEQUENTIAL MAP_REDUCE }
  enum RunStatus { RUNNING COMPLETED FAILED }
  enum RunEventType { RUN_STARTED STEP_STARTED STEP_COMPLETED RUN_COMPLETED }
  type RunError { kind: String! message: String! }
  type RunUpdate {
    runId: String!
    workflowId: String!
    workflowVersion: Int!
    pattern: Pattern!
    status: RunStatus!
    previousStatus: RunStatus
    at: DateTime!
    error: RunError
  }
  type RunEvent {
    seq: Int!
    type: RunEventType!
    runId: String!
    stepId: String
    agent: String
    attempt: Int
    at: DateTime!
    message: String!
    data: JSON
  }
  type Query { ok: Boolean! }
  type Mutation { ping: String! }
  type Subscription {
    runUpdates: RunUpdate!
    runEvents(runId: ID!): RunEvent!
  }
`;

async function startFloor(usage: Meter): Promise<BenchServer> {
  // yoga's `createPubSub` as it comes. It refuses a push to a subscriber 1,024 events behind: a
  // RepeaterOverflowError thrown from the event target's listener, which takes the process down (its
  // `repeaterBuffer` option is one buffer shared by every subscription, so no help). The fanout bench
  // keeps its saturated windows short enough not to get there; should it happen, the event is dropped
  // for that subscriber and counted rather than fatal.
  let overflows = 0;
  process.on('uncaughtException', (error) => {
    if (error.name !== 'RepeaterOverflowError') throw error;
    overflows++;
  });
  // yoga's default event target, without the warning about its 1,000 listeners.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<{
    runUpdates: [payload: RunUpdate];
    runEvents: [runId: string, payload: RunEvent];
  }>({ eventTarget: eventTarget as never });
  const counts = new Map<string, number>();
  const counted = <T>(key: string, iterable: AsyncIterable<T>): AsyncIterable<T> => ({
    [Symbol.asyncIterator]() {
      const it = iterable[Symbol.asyncIterator]();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      let done = false;
      const finish = () => {
        if (!done) counts.set(key, (counts.get(key) ?? 1) - 1);
        done = true;
      };
      return {
        next: () => it.next(),
        return: (value?: unknown) => {
          finish();
          return it.return ? it.return(value) : Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  });
  const at = (p: { at: number }) => new Date(p.at);
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: FLOOR_TYPE_DEFS,
      resolvers: {
        DateTime: DateTimeResolver,
        JSON: JSONResolver,
        Query: { ok: () => true },
        Mutation: { ping: () => 'pong' },
        RunUpdate: { at },
        RunEvent: { at },
        Subscription: {
          runUpdates: {
            subscribe: () => counted('runUpdates', pubsub.subscribe('runUpdates')),
            resolve: (payload: RunUpdate) => payload,
          },
          runEvents: {
            subscribe: (_: unknown, args: { runId: string }) =>
              counted(`run:${args.runId}`, pubsub.subscribe('runEvents', args.runId)),
            resolve: (payload: RunEvent) => payload,
          },
        },
      },
    }),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: false,
  });
  const httpServer = createServer(yoga);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // The integration yoga documents for graphql-ws.
  const ws = useServer(
    {
      execute: (args) =>
        (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) =>
        (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName ?? null,
          document: parse(params.query),
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );
  const { port } = await listen(httpServer);

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    subscribers: ({ runId }) => counts.get(runId ? `run:${runId}` : 'runUpdates') ?? 0,
    async driveUpdates({ runsPerSecond, seconds }) {
      const runs = await atRate(runsPerSecond, seconds, () => {
        const base = {
          runId: randomUUID(),
          workflowId: 'seq3',
          workflowVersion: 1,
          pattern: 'SEQUENTIAL' as const,
          error: null,
        };
        pubsub.publish('runUpdates', { ...base, status: 'RUNNING', previousStatus: null, at: Date.now() });
        pubsub.publish('runUpdates', {
          ...base,
          status: 'COMPLETED',
          previousStatus: 'RUNNING',
          at: Date.now(),
        });
      });
      return { runs, updates: runs * 2 };
    },
    async startEventRun({ items, ms }) {
      const runId = randomUUID();
      let seq = 0;
      const publish = (type: RunEvent['type'], index: number | null, data: RunEvent['data']) =>
        pubsub.publish('runEvents', runId, {
          runId,
          seq: ++seq,
          type,
          at: Date.now(),
          stepId: index === null ? null : 'tick',
          agent: index === null ? null : 'sleep',
          attempt: index === null ? null : 1,
          message: index === null ? `run ${type}` : `step tick (sleep) ${type} item ${index}`,
          data,
        });
      // The engine's pace: item 0 waits for the gate, then a STEP_COMPLETED and the next STEP_STARTED
      // every `ms`.
      publish('RUN_STARTED', null, { workflowId: 'slow', workflowVersion: 1, pattern: 'MAP_REDUCE' });
      publish('STEP_STARTED', 0, { execution: 1, itemIndex: 0, action: 'run' });
      (async () => {
        await eventGate.wait();
        for (let i = 0; i < items; i++) {
          if (i > 0) await new Promise((resolve) => setTimeout(resolve, ms));
          publish('STEP_COMPLETED', i, { execution: i + 1, itemIndex: i, durationMs: ms, attempts: 1 });
          if (i + 1 < items)
            publish('STEP_STARTED', i + 1, { execution: i + 2, itemIndex: i + 1, action: 'run' });
        }
        publish('RUN_COMPLETED', null, { status: 'COMPLETED', durationMs: items * ms });
      })();
      return { runId };
    },
    openGate: () => eventGate.open(),
    dropped: () => overflows,
    ...usage,
    async close() {
      await ws.dispose();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}
