/**
 * Many graphql-ws clients (the graphql-ws client library over `ws`), one socket and one subscription
 * each, recording for every delivery its latency: the receive time minus the event's `at`.
 *
 * `openSubscribers` spreads the clients over worker threads (bench/lib/ws-client-thread.ts runs
 * `openSubscribersHere` in each): one thread of clients handles about 100,000 messages a second at
 * most, so at the fanout target a single thread would measure its own queue rather than the server.
 *
 * Receive times are `performance.timeOrigin + performance.now()` (sub-millisecond); the server sends
 * `at` as an ISO 8601 DateTime, which has whole milliseconds (the engine takes it from `Date.now()`),
 * so each latency is over-estimated by 0–1 ms (0.5 ms on average).
 */

import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Samples } from './stats.ts';

/** What one pool recorded between `record()` and `stopRecording()`. */
export interface RecordedWindow {
  deliveries: number;
  seconds: number;
  /** Sorted, ms. */
  latencies: Float64Array;
  /** Event loop utilisation of the clients' thread over the window (the busiest thread's). */
  elu: number;
}

export interface SubscriberPool {
  /** Deliveries since the pool opened (of a threaded pool: as its threads last reported, every 50 ms). */
  readonly delivered: number;
  /** Subscriptions that ended with an error (e.g. a slow subscriber cut off by the server). */
  readonly errors: number;
  /** What the first of them ended with. */
  readonly firstError: string | null;
  /** Subscriptions that completed. */
  readonly completed: number;
  /** Starts recording latencies (and counting deliveries) from now. */
  record(): void;
  /** Stops recording; returns the deliveries and latencies recorded in between. */
  stopRecording(): Promise<RecordedWindow>;
  close(): Promise<void>;
}

export interface PoolOptions {
  url: string;
  clients: number;
  query: string;
  variables?: Record<string, unknown>;
  /** The root field, whose `at` is read from each delivery. */
  field: string;
  /** Sockets opened at once while connecting. Default 100. */
  batch?: number;
}

/** Counts a thread reports while it runs. */
export interface ThreadCounts {
  delivered: number;
  errors: number;
  firstError: string | null;
  completed: number;
}

/** The clients in `threads` worker threads (default 2), as evenly as they divide. */
export async function openSubscribers(options: PoolOptions & { threads?: number }): Promise<SubscriberPool> {
  const { threads = 2, ...poolOptions } = options;
  const workers = Array.from({ length: threads }, (_, i) => {
    const clients = Math.floor(options.clients / threads) + (i < options.clients % threads ? 1 : 0);
    return new Worker(new URL('./ws-client-thread.ts', import.meta.url), {
      workerData: { ...poolOptions, clients } satisfies PoolOptions,
    });
  });
  const counts = workers.map(
    (): ThreadCounts => ({ delivered: 0, errors: 0, firstError: null, completed: 0 }),
  );
  const reply = <T>(worker: Worker, type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === 'failed') reject(new Error(String(message.message)));
        else if (message.type === type) resolve(message as T);
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  for (const [i, worker] of workers.entries()) {
    worker.on('message', (message: { type: string } & ThreadCounts) => {
      if (message.type === 'counts') counts[i] = message;
    });
  }
  await Promise.all(workers.map((worker) => reply(worker, 'ready')));
  const sum = (pick: (c: ThreadCounts) => number) => counts.reduce((total, c) => total + pick(c), 0);
  return {
    get delivered() {
      return sum((c) => c.delivered);
    },
    get errors() {
      return sum((c) => c.errors);
    },
    get firstError() {
      return counts.find((c) => c.firstError !== null)?.firstError ?? null;
    },
    get completed() {
      return sum((c) => c.completed);
    },
    record() {
      for (const worker of workers) worker.postMessage({ type: 'record' });
    },
    async stopRecording() {
      const windows = await Promise.all(
        workers.map((worker) => {
          const window = reply<RecordedWindow>(worker, 'window');
          worker.postMessage({ type: 'stop' });
          return window;
        }),
      );
      const latencies = new Float64Array(windows.reduce((n, w) => n + w.latencies.length, 0));
      let offset = 0;
      for (const window of windows) {
        latencies.set(window.latencies, offset);
        offset += window.latencies.length;
      }
      return {
        deliveries: windows.reduce((n, w) => n + w.deliveries, 0),
        seconds: Math.max(...windows.map((w) => w.seconds)),
        latencies: latencies.sort(),
        elu: Math.max(...windows.map((w) => w.elu)),
      };
    },
    async close() {
      await Promise.all(
        workers.map((worker) => {
          const closed = reply(worker, 'closed');
          worker.postMessage({ type: 'close' });
          return closed.then(() => worker.terminate());
        }),
      );
    },
  };
}

/** The clients in this thread. */
export async function openSubscribersHere(options: PoolOptions): Promise<SubscriberPool> {
  let delivered = 0;
  let errors = 0;
  let completed = 0;
  let recording = false;
  let recorded = 0;
  let recordingSince = 0;
  let latencies = new Samples();
  let elu = performance.eventLoopUtilization();
  let firstError: string | null = null;
  const failed = (error: unknown) => {
    errors++;
    firstError ??= describeError(error);
  };
  const clients: Client[] = [];
  const now = () => performance.timeOrigin + performance.now();
  const field = options.field;

  const next = (result: { data?: Record<string, { at: string }> | null }) => {
    delivered++;
    if (!recording) return;
    const at = result.data?.[field]?.at;
    if (at === undefined) return;
    recorded++;
    latencies.add(now() - Date.parse(at));
  };

  const open = async (): Promise<void> => {
    const client = createClient({
      url: options.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      onNonLazyError: failed,
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.on('connected', () => resolve());
      client.on('closed', (event) => reject(new Error(`socket closed while connecting: ${String(event)}`)));
      client.on('error', reject);
    });
    client.subscribe(
      { query: options.query, ...(options.variables ? { variables: options.variables } : {}) },
      {
        next: next as never,
        error: failed,
        complete: () => {
          completed++;
        },
      },
    );
  };

  const batch = options.batch ?? 100;
  for (let i = 0; i < options.clients; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, options.clients - i) }, open));
  }

  return {
    get delivered() {
      return delivered;
    },
    get errors() {
      return errors;
    },
    get firstError() {
      return firstError;
    },
    get completed() {
      return completed;
    },
    record() {
      latencies = new Samples();
      recorded = 0;
      recordingSince = performance.now();
      elu = performance.eventLoopUtilization();
      recording = true;
    },
    async stopRecording() {
      recording = false;
      return {
        deliveries: recorded,
        seconds: (performance.now() - recordingSince) / 1000,
        latencies: latencies.sorted(),
        elu: performance.eventLoopUtilization(elu).utilization,
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

/** What a graphql-ws subscription failed with: an Error, GraphQL errors, or the socket's CloseEvent. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((e: { message?: unknown }) => String(e.message)).join('; ');
  const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown };
  return code === undefined ? String(error) : `socket closed: ${String(code)} ${String(reason ?? '')}`.trim();
}
