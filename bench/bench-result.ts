/**
 * One measured figure of a benchmark, with the floor measured beside it in the same run.
 */

export interface BenchResult {
  /** The benchmark: engine, http, fanout, history, memory. */
  bench: string;
  /** What was measured, e.g. "seq3 ×1 memory". */
  case: string;
  /** e.g. "µs/step", "req/s", "p99". */
  metric: string;
  value: number;
  unit: string;
  /** The same measure of the floor (the thing with nothing of ours in it). */
  floor?: number;
  /** value / floor (or floor / value for throughputs), as documented per bench. */
  ratio?: number;
  /** The target, as text: "≤ 2 µs/step". */
  target?: string;
  met?: boolean;
  notes?: string;
}

export interface BenchOptions {
  /** Fewer iterations, for `npm run bench -- --short` (under 2 minutes in all). */
  short: boolean;
  /** memory: minutes of the steady-load phase (`--steady <minutes>`); default 10, or 5 s with --short. */
  steadyMinutes?: number;
}

export type Bench = (options: BenchOptions) => Promise<BenchResult[]>;
