/**
 * Statistics: runs, steps, patterns and agents since counting began, with breaker states; as a query
 * and as a periodic stream for dashboards.
 */

import { z } from 'zod';
import {
  type AgentStatistics,
  EventStream,
  type LatencySummary,
  type PatternStatistics,
  type StatisticsView,
} from '../engine/index.ts';
import { builder } from './builder.ts';
import { CircuitBreakerRef } from './circuit-breaker.ts';
import { eventOf } from './context.ts';
import { PatternEnum } from './enums.ts';
import { instant } from './scalars.ts';

const LatencyRef = builder.objectRef<LatencySummary>('LatencySummary').implement({
  description: 'Durations in milliseconds; percentiles are within 4 % (fixed-memory histogram).',
  fields: (t) => ({
    count: t.exposeInt('count'),
    avgMs: t.exposeFloat('avgMs', { nullable: true }),
    minMs: t.exposeFloat('minMs', { nullable: true }),
    maxMs: t.exposeFloat('maxMs', { nullable: true }),
    p50Ms: t.exposeFloat('p50Ms', { nullable: true }),
    p95Ms: t.exposeFloat('p95Ms', { nullable: true }),
    p99Ms: t.exposeFloat('p99Ms', { nullable: true }),
  }),
});

export const AgentPerformanceRef = builder.objectRef<AgentStatistics>('AgentPerformance').implement({
  fields: (t) => ({
    agent: t.exposeString('agent'),
    calls: t.exposeInt('calls'),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
    successRate: t.exposeFloat('successRate', { nullable: true }),
    latency: t.field({ type: LatencyRef, resolve: (a) => a.latency }),
    lastCallAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => instant(a.lastCallAt) }),
  }),
});

const PatternUsageRef = builder.objectRef<PatternStatistics>('PatternUsage').implement({
  fields: (t) => ({
    pattern: t.field({ type: PatternEnum, resolve: (p) => p.pattern }),
    runs: t.exposeInt('runs'),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
  }),
});

const RunStatisticsRef = builder.objectRef<StatisticsView['runs']>('RunStatistics').implement({
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Finished runs.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Ended COMPLETED.' }),
    failed: t.exposeInt('failed', { description: 'Ended FAILED, COMPENSATED, TIMED_OUT or INTERRUPTED.' }),
    cancelled: t.exposeInt('cancelled'),
    running: t.exposeInt('running', { description: 'In flight in this gateway now.' }),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description: 'succeeded / (succeeded + failed).',
    }),
    byStatus: t.field({ type: 'JSON', resolve: (r) => r.byStatus }),
    duration: t.field({ type: LatencyRef, resolve: (r) => r.duration }),
  }),
});

const StatsRef = builder.objectRef<StatisticsView>('Stats').implement({
  fields: (t) => ({
    since: t.field({ type: 'DateTime', nullable: true, resolve: (s) => instant(s.since) }),
    runs: t.field({ type: RunStatisticsRef, resolve: (s) => s.runs }),
    steps: t.field({
      type: 'JSON',
      description: 'Step executions completed, failed and skipped.',
      resolve: (s) => s.steps,
    }),
    patterns: t.field({ type: [PatternUsageRef], resolve: (s) => s.patterns }),
    agents: t.field({ type: [AgentPerformanceRef], resolve: (s) => s.agents }),
    circuitBreakers: t.field({
      type: [CircuitBreakerRef],
      resolve: (_s, _args, context) => context.engine.circuitBreakers(),
    }),
  }),
});

builder.queryField('stats', (t) =>
  t.field({ type: StatsRef, resolve: (_root, _args, context) => context.engine.statistics() }),
);

builder.subscriptionField('stats', (t) =>
  t.field({
    type: StatsRef,
    description: 'The statistics now, then every `intervalMs`.',
    args: {
      intervalMs: t.arg.int({
        required: false,
        defaultValue: 2000,
        validate: z.number().int().min(100).max(3_600_000),
      }),
    },
    subscribe: (_root, args, context) => {
      const stream = new EventStream<StatisticsView>({ maxBuffered: 10 });
      stream.push(context.engine.statistics());
      const timer = setInterval(() => stream.push(context.engine.statistics()), args.intervalMs ?? 2000);
      stream.onDispose(() => clearInterval(timer));
      return stream;
    },
    resolve: eventOf,
  }),
);
