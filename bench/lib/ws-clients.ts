/**
 * Many graphql-ws clients (the graphql-ws client library over `ws`), one socket and one subscription
 * each, recording for every delivery its latency: the receive time minus the event's `at`.
 *
 * Receive times are `performance.timeOrigin + performance.now()` (sub-millisecond); the server sends
 * `at` as an ISO 8601 DateTime, which has whole milliseconds (the engine takes it from `Date.now()`),
 * so each latency is over-estimated by 0–1 ms (0.5 ms on average).
 */

import { performance } from 'node:perf_hooks';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Samples } from './stats.ts';

export interface SubscriberPool {
  /** Deliveries since the pool opened. */
  readonly delivered: number;
  /** Subscriptions that ended with an error (e.g. a slow subscriber cut off by the server). */
  readonly errors: number;
  /** Subscriptions that completed. */
  readonly completed: number;
  /** Starts recording latencies (and counting deliveries) from now. */
  record(): void;
  /** Stops recording; returns the deliveries and latencies (ms) recorded in between. */
  stopRecording(): { deliveries: number; seconds: number; latencies: Float64Array };
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

export async function openSubscribers(options: PoolOptions): Promise<SubscriberPool> {
  let delivered = 0;
  let errors = 0;
  let completed = 0;
  let recording = false;
  let recorded = 0;
  let recordingSince = 0;
  let latencies = new Samples();
  let firstError: unknown = null;
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
      onNonLazyError: (error) => {
        errors++;
        firstError ??= error;
      },
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
        error: (error) => {
          errors++;
          firstError ??= error;
        },
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
      if (firstError && errors === 1) console.warn('fanout: a subscription failed:', firstError);
      return errors;
    },
    get completed() {
      return completed;
    },
    record() {
      latencies = new Samples();
      recorded = 0;
      recordingSince = performance.now();
      recording = true;
    },
    stopRecording() {
      recording = false;
      return {
        deliveries: recorded,
        seconds: (performance.now() - recordingSince) / 1000,
        latencies: latencies.sorted(),
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}
