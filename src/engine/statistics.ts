/**
 * Run and agent statistics in bounded memory.
 *
 * Counters and fixed-size histograms only: the memory used does not grow with the number of runs.
 * The state serialises to a snapshot that the engine writes in the same store transaction as the runs
 * it counts, so after a restart (even a `kill -9`) the statistics agree with the stored history.
 */

import type { Pattern } from './definition.ts';
import { PATTERNS } from './definition.ts';
import type { RunStatus, TerminalRunStatus } from './events.ts';
import { Histogram, type HistogramSnapshot, type SparseHistogramSnapshot } from './histogram.ts';
import type { JsonValue } from './json.ts';

export interface LatencySummary {
  count: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface AgentStatistics {
  agent: string;
  /** Calls that reached the agent (refusals by an open breaker are not calls). */
  calls: number;
  succeeded: number;
  failed: number;
  /** succeeded / calls, null before the first call. */
  successRate: number | null;
  latency: LatencySummary;
  lastCallAt: number | null;
}

export interface PatternStatistics {
  pattern: Pattern;
  runs: number;
  succeeded: number;
  failed: number;
}

export interface StatisticsView {
  /** When counting began (first run ever recorded by this instance). */
  since: number | null;
  runs: {
    /** Finished runs. */
    total: number;
    /** Ended COMPLETED. */
    succeeded: number;
    /** Ended FAILED, COMPENSATED, TIMED_OUT or INTERRUPTED. */
    failed: number;
    cancelled: number;
    running: number;
    /** succeeded / (succeeded + failed); cancellations are the caller's choice and do not count. */
    successRate: number | null;
    byStatus: Record<TerminalRunStatus, number>;
    duration: LatencySummary;
  };
  steps: { completed: number; failed: number; skipped: number };
  patterns: PatternStatistics[];
  agents: AgentStatistics[];
}

interface AgentCounters {
  calls: number;
  succeeded: number;
  failed: number;
  lastCallAt: number | null;
  latency: Histogram;
}

/** Version 2 changed only the histograms' form (see histogram.ts); version 1 is still read. */
interface Snapshot {
  version: 1 | 2;
  since: number | null;
  byStatus: Record<string, number>;
  duration: HistogramSnapshot | SparseHistogramSnapshot;
  steps: { completed: number; failed: number; skipped: number };
  patterns: Record<string, { runs: number; succeeded: number; failed: number }>;
  agents: Record<
    string,
    {
      calls: number;
      succeeded: number;
      failed: number;
      lastCallAt: number | null;
      latency: HistogramSnapshot | SparseHistogramSnapshot;
    }
  >;
}

const TERMINAL: readonly TerminalRunStatus[] = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'COMPENSATED',
  'TIMED_OUT',
  'INTERRUPTED',
];
const FAILED_STATUSES: ReadonlySet<RunStatus> = new Set([
  'FAILED',
  'COMPENSATED',
  'TIMED_OUT',
  'INTERRUPTED',
]);

export class RunStatistics {
  #since: number | null = null;
  #byStatus = Object.fromEntries(TERMINAL.map((s) => [s, 0])) as Record<TerminalRunStatus, number>;
  #duration = new Histogram();
  #running = 0;
  #steps = { completed: 0, failed: 0, skipped: 0 };
  #patterns = new Map<Pattern, { runs: number; succeeded: number; failed: number }>();
  #agents = new Map<string, AgentCounters>();
  #version = 0;

  /** Increases on every change; the engine persists a snapshot when it moved. */
  get version(): number {
    return this.#version;
  }

  runStarted(at: number): void {
    this.#running++;
    if (this.#since === null) this.#since = at;
    this.#version++;
  }

  runFinished(pattern: Pattern, status: TerminalRunStatus, durationMs: number, wasRunning = true): void {
    if (wasRunning && this.#running > 0) this.#running--;
    this.#byStatus[status]++;
    this.#duration.record(durationMs);
    let p = this.#patterns.get(pattern);
    if (!p) {
      p = { runs: 0, succeeded: 0, failed: 0 };
      this.#patterns.set(pattern, p);
    }
    p.runs++;
    if (status === 'COMPLETED') p.succeeded++;
    else if (FAILED_STATUSES.has(status)) p.failed++;
    this.#version++;
  }

  stepFinished(status: 'COMPLETED' | 'FAILED' | 'SKIPPED'): void {
    if (status === 'COMPLETED') this.#steps.completed++;
    else if (status === 'FAILED') this.#steps.failed++;
    else this.#steps.skipped++;
    this.#version++;
  }

  agentCall(agent: string, durationMs: number, succeeded: boolean, at: number): void {
    let a = this.#agents.get(agent);
    if (!a) {
      a = { calls: 0, succeeded: 0, failed: 0, lastCallAt: null, latency: new Histogram() };
      this.#agents.set(agent, a);
    }
    a.calls++;
    if (succeeded) a.succeeded++;
    else a.failed++;
    a.lastCallAt = at;
    a.latency.record(durationMs);
    this.#version++;
  }

  successRate(agent: string): number | null {
    const a = this.#agents.get(agent);
    return a?.calls ? a.succeeded / a.calls : null;
  }

  averageLatencyMs(agent: string): number | null {
    return this.#agents.get(agent)?.latency.mean ?? null;
  }

  agentStatistics(agent: string): AgentStatistics {
    const a = this.#agents.get(agent);
    if (!a) {
      return {
        agent,
        calls: 0,
        succeeded: 0,
        failed: 0,
        successRate: null,
        latency: summarize(new Histogram()),
        lastCallAt: null,
      };
    }
    return {
      agent,
      calls: a.calls,
      succeeded: a.succeeded,
      failed: a.failed,
      successRate: a.calls ? a.succeeded / a.calls : null,
      latency: summarize(a.latency),
      lastCallAt: a.lastCallAt,
    };
  }

  view(): StatisticsView {
    const succeeded = this.#byStatus.COMPLETED;
    let failed = 0;
    for (const s of FAILED_STATUSES) failed += this.#byStatus[s as TerminalRunStatus];
    const total = TERMINAL.reduce((sum, s) => sum + this.#byStatus[s], 0);
    return {
      since: this.#since,
      runs: {
        total,
        succeeded,
        failed,
        cancelled: this.#byStatus.CANCELLED,
        running: this.#running,
        successRate: succeeded + failed ? succeeded / (succeeded + failed) : null,
        byStatus: { ...this.#byStatus },
        duration: summarize(this.#duration),
      },
      steps: { ...this.#steps },
      patterns: PATTERNS.filter((p) => this.#patterns.has(p)).map((p) => ({
        pattern: p,
        ...this.#patterns.get(p)!,
      })),
      agents: [...this.#agents.keys()].sort().map((a) => this.agentStatistics(a)),
    };
  }

  snapshot(): JsonValue {
    const snapshot: Snapshot = {
      version: 2,
      since: this.#since,
      byStatus: { ...this.#byStatus },
      duration: this.#duration.snapshot(),
      steps: { ...this.#steps },
      patterns: Object.fromEntries(this.#patterns),
      agents: Object.fromEntries(
        [...this.#agents].map(([name, a]) => [
          name,
          {
            calls: a.calls,
            succeeded: a.succeeded,
            failed: a.failed,
            lastCallAt: a.lastCallAt,
            latency: a.latency.snapshot(),
          },
        ]),
      ),
    };
    return snapshot as unknown as JsonValue;
  }

  /** Restores counters from a snapshot; an unreadable snapshot is ignored (counting restarts). */
  static restore(value: JsonValue | null): RunStatistics {
    const stats = new RunStatistics();
    if (
      !value ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      (value.version !== 1 && value.version !== 2)
    )
      return stats;
    const s = value as unknown as Snapshot;
    stats.#since = s.since;
    for (const status of TERMINAL) stats.#byStatus[status] = s.byStatus[status] ?? 0;
    stats.#duration = Histogram.restore(s.duration);
    stats.#steps = { ...s.steps };
    for (const [pattern, counts] of Object.entries(s.patterns))
      stats.#patterns.set(pattern as Pattern, { ...counts });
    for (const [agent, a] of Object.entries(s.agents)) {
      stats.#agents.set(agent, {
        calls: a.calls,
        succeeded: a.succeeded,
        failed: a.failed,
        lastCallAt: a.lastCallAt,
        latency: Histogram.restore(a.latency),
      });
    }
    return stats;
  }
}

function summarize(h: Histogram): LatencySummary {
  return {
    count: h.count,
    avgMs: h.mean,
    minMs: h.min,
    maxMs: h.max,
    p50Ms: h.percentile(0.5),
    p95Ms: h.percentile(0.95),
    p99Ms: h.percentile(0.99),
  };
}
