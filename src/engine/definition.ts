/**
 * Workflow definitions: plain JSON data that says what to run and how.
 *
 * A definition is validated once, when it is registered (see `validate-workflow.ts`), and every run is
 * pinned to the version it started with. Nothing in here is code: conditions are data evaluated by
 * `condition.ts`, mappings are dotted paths. `docs/workflows.md` is the user-facing reference.
 */

import type { Condition } from './condition.ts';
import type { ErrorKind } from './errors.ts';
import type { JsonObject } from './json.ts';

export const PATTERNS = [
  'SEQUENTIAL',
  'PARALLEL',
  'FAN_OUT_FAN_IN',
  'CONDITIONAL',
  'SAGA',
  'MAP_REDUCE',
  'EVENT_DRIVEN',
] as const;
export type Pattern = (typeof PATTERNS)[number];

/**
 * Retry with exponential backoff and jitter. Attempt n (n >= 2) waits
 * `min(maxDelayMs, initialDelayMs * multiplier^(n-2))`, scattered by full jitter when `jitter` is on.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 disables retries. Default 3. */
  maxAttempts: number;
  /** Delay before the first retry. Default 200 ms. */
  initialDelayMs: number;
  /** Upper bound of any delay. Default 10 000 ms. */
  maxDelayMs: number;
  /** Growth factor between retries. Default 2. */
  multiplier: number;
  /** Randomise delays (decorrelated jitter) so that failing callers do not retry in lockstep. Default true. */
  jitter: boolean;
  /**
   * Error kinds that fail the attempt series at once. Default `INVALID_INPUT`, `ACTION_NOT_SUPPORTED`,
   * `AGENT_NOT_FOUND`, `CANCELLED`. An open breaker (`CIRCUIT_OPEN`) never waits for a retry either: the
   * step goes straight to its fallback agent.
   */
  nonRetryableKinds: ErrorKind[];
}

/** How FAN_OUT_FAN_IN (and PARALLEL, for its output) combines branch outputs. */
export type MergeRule = 'CONCAT' | 'SUM' | 'MAX' | 'MIN' | 'FIRST' | 'LAST' | { rank: string[] };

export interface MergeSpec {
  /**
   * `COLLECT`: a list of branch outputs in step order. `MERGE`: one object; for each key, arrays are
   * concatenated and other values taken from the last branch, unless `rules` says otherwise.
   */
  strategy: 'MERGE' | 'COLLECT';
  /** Per-key rules for `MERGE`, e.g. `{ "anomaliesFound": "SUM", "riskLevel": { "rank": ["LOW","MEDIUM","HIGH"] } }`. */
  rules?: Record<string, MergeRule>;
  /** Where the merged value is written in the run's data. Default `merged`. */
  into?: string;
}

export interface CompensationDefinition {
  /** The action that undoes the step; must be offered by the compensating agent. */
  action: string;
  /** The agent that compensates. Default: the agent that ran the step. */
  agent?: string;
  /** Payload of the compensation; default `{ output: <the step's output> }` plus the run's input and data. */
  inputMapping?: Record<string, string>;
  /** Timeout of the compensation call. Default: the step's timeout. */
  timeoutMs?: number;
}

/** CONDITIONAL routing: the first matching `when` wins, else `otherwise`, else the run ends. */
export interface NextRoute {
  when?: { condition: Condition; next: string }[];
  otherwise?: string;
}

/** MAP_REDUCE: marks the step applied to each item. */
export interface MapSettings {
  /** Path of the list to map over, e.g. `input.contracts` or `data.contracts`. */
  items: string;
  /** Group the list by this path of each element first; each item is then `{ key, items }`. */
  groupBy?: string;
  /** Items in flight at once. Default 8. */
  concurrency?: number;
  /** `FAIL` (default): the first failed item fails the run. `SKIP`: failed items are left out of the reduce. */
  onItemFailure?: 'FAIL' | 'SKIP';
}

export interface StepDefinition {
  /** Unique within the workflow; letters, digits, `_` and `-`. */
  id: string;
  description?: string;
  /** The agent to call. Exactly one of `agent` and `capabilities`. */
  agent?: string;
  /** Capabilities to resolve at run time through best-agent selection (breaker-aware). */
  capabilities?: string[];
  /** The agent action to invoke. */
  action: string;
  /**
   * Payload keys to scope paths, e.g. `{ "contracts": "input.contracts" }`. Without it the payload is the
   * run's input merged with its data (plus `item`/`index`, `results`, `branches` or `event` where the
   * pattern provides them).
   */
  inputMapping?: Record<string, string>;
  /** Data paths to output paths, e.g. `{ "anomaliesFound": "anomaliesFound" }` writes `data.anomaliesFound`. */
  outputMapping?: Record<string, string>;
  /** Run the step only when this holds; otherwise it is SKIPPED (SEQUENTIAL, PARALLEL, FAN_OUT_FAN_IN, SAGA). */
  condition?: Condition;
  /** Overrides of the engine's default retry policy for this step. */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout. Default 300 000 ms. */
  timeoutMs?: number;
  /** Agent that takes over when the last attempt failed or the breaker is open. Same action. */
  fallbackAgent?: string;
  /** A failure of this step does not fail the run (SEQUENTIAL, PARALLEL, FAN_OUT_FAN_IN, CONDITIONAL, EVENT_DRIVEN). */
  continueOnError?: boolean;
  /** SAGA: how to undo this step if a later one fails. */
  compensation?: CompensationDefinition;
  /** CONDITIONAL: the step to go to next, or routes; absent means the run ends after this step. */
  next?: string | NextRoute;
  /** EVENT_DRIVEN: fire when every named event has been published in the run. */
  on?: string | string[];
  /** EVENT_DRIVEN: with a single `on` event, fire once it has been published this many times. Default 1. */
  gather?: number;
  /** EVENT_DRIVEN: publish this event with the step's output when it completes. */
  emit?: string;
  /** EVENT_DRIVEN: the run completes when this step completes. */
  terminal?: boolean;
  /** MAP_REDUCE: this is the map step. */
  map?: MapSettings;
  /** MAP_REDUCE: this is the reduce step; it receives `results` (map outputs in item order). */
  reduce?: boolean;
  /** FAN_OUT_FAN_IN: this step runs after the branches and receives `branches` (and `merged`). */
  fanIn?: boolean;
}

export interface WorkflowDefinition {
  /** Stable identifier, e.g. `default_investigation`. */
  id: string;
  name: string;
  /** Assigned by the store on registration; ignored when supplied. */
  version?: number;
  description?: string;
  pattern: Pattern;
  steps: StepDefinition[];
  /** Whole-run timeout. Default 1 800 000 ms. */
  timeoutMs?: number;
  metadata?: JsonObject;
  /** PARALLEL, FAN_OUT_FAN_IN: branches in flight at once. Default unlimited. (MAP_REDUCE uses `map.concurrency`.) */
  maxConcurrency?: number;
  /** PARALLEL, FAN_OUT_FAN_IN: the first failure aborts the siblings. Default true. */
  failFast?: boolean;
  /** FAN_OUT_FAN_IN: built-in fan-in; PARALLEL: how the run output combines branch outputs. */
  merge?: MergeSpec;
  /** CONDITIONAL: the first step. Default the first step listed. */
  start?: string;
  /** CONDITIONAL: executions allowed before the run fails, so a cycle cannot spin forever. Default 100. */
  maxSteps?: number;
  /** EVENT_DRIVEN: the event a run publishes first, and that starts a run when published from outside. */
  trigger?: string;
  /** Shape of the run output as output keys to scope paths; default depends on the pattern. */
  output?: Record<string, string>;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze<RetryPolicy>({
  maxAttempts: 3,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
  jitter: true,
  nonRetryableKinds: ['INVALID_INPUT', 'ACTION_NOT_SUPPORTED', 'AGENT_NOT_FOUND', 'CANCELLED'],
});

export const DEFAULT_STEP_TIMEOUT_MS = 300_000;
export const DEFAULT_WORKFLOW_TIMEOUT_MS = 1_800_000;
export const DEFAULT_MAX_STEPS = 100;
export const DEFAULT_MAP_CONCURRENCY = 8;
