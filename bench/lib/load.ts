/**
 * HTTP load with autocannon's programmatic API, with latencies recorded per response at µs precision
 * (autocannon's own histogram rounds to whole milliseconds).
 */

import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { percentile, Samples } from './stats.ts';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; absent for as fast as the server answers. */
  rate?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  /** Errors, timeouts and non-2xx answers. */
  failures: number;
  /** CPU of this (the load generator's) process, % of one core. */
  generatorCpuPercent: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Samples();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode >= 200 && statusCode < 300) latencies.add(ms);
  });
  const result = await instance;
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const sorted = latencies.sorted();
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    completed: result['2xx'],
    failures: result.errors + result.timeouts + result.non2xx,
    generatorCpuPercent: ((used.user + used.system) / 1000 / elapsed) * 100,
  };
}

/** POSTs one operation and returns the parsed answer. */
export async function post(url: string, body: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  return response.json();
}
