/**
 * Records for the store tests, and a plain-JavaScript statement of what a run filter means, against
 * which every store's answers are compared.
 */

import type { Pattern, WorkflowDefinition } from '../../src/engine/definition.ts';
import type { RunEvent, RunStatus } from '../../src/engine/events.ts';
import type { RunRecord, StepAttempt, StepRunRecord } from '../../src/engine/run.ts';
import type { RunFilter, RunSummary } from '../../src/engine/store.ts';

export const T0 = 1_700_000_000_000;

export function runRecord(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    workflowId: 'wf-main',
    workflowVersion: 1,
    pattern: 'SEQUENTIAL',
    status: 'RUNNING',
    input: { dataset: 'ifms', contracts: [1, 2, 3] },
    output: null,
    error: null,
    startedAt: T0,
    finishedAt: null,
    durationMs: null,
    triggeredBy: null,
    ...overrides,
  };
}

export function finished(run: RunRecord, status: RunStatus, finishedAt: number): RunRecord {
  return { ...run, status, finishedAt, durationMs: finishedAt - run.startedAt };
}

export function attempt(agent: string, overrides: Partial<StepAttempt> = {}): StepAttempt {
  return {
    attempt: 1,
    agent,
    fallback: false,
    startedAt: T0,
    finishedAt: T0 + 5,
    durationMs: 5,
    error: null,
    ...overrides,
  };
}

export function stepRecord(
  runId: string,
  execution: number,
  overrides: Partial<StepRunRecord> = {},
): StepRunRecord {
  const agent = overrides.agent === undefined ? 'zumbi' : overrides.agent;
  return {
    runId,
    execution,
    stepId: `step-${execution}`,
    itemIndex: null,
    agent,
    action: 'detect',
    status: 'COMPLETED',
    attempts: 1,
    startedAt: T0,
    finishedAt: T0 + 5,
    durationMs: 5,
    output: { anomaliesFound: execution },
    error: null,
    attemptLog: agent === null ? [] : [attempt(agent)],
    ...overrides,
  };
}

export function eventRecord(runId: string, seq: number, overrides: Partial<RunEvent> = {}): RunEvent {
  return {
    runId,
    seq,
    type: 'STEP_COMPLETED',
    at: T0 + seq,
    stepId: 'step-1',
    agent: 'zumbi',
    attempt: 1,
    message: `event ${seq} of ${runId}`,
    data: { seq },
    ...overrides,
  };
}

export function workflowDefinition(id: string, name = id): WorkflowDefinition {
  return {
    id,
    name,
    pattern: 'SEQUENTIAL',
    steps: [{ id: 'detect', agent: 'zumbi', action: 'detect' }],
  };
}

export function summaryOf(run: RunRecord): RunSummary {
  const { input: _input, output: _output, ...summary } = run;
  return summary;
}

/** The keyset order of the contract: by startedAt, then id. */
export function byKey(a: { startedAt: number; id: string }, b: { startedAt: number; id: string }): number {
  if (a.startedAt !== b.startedAt) return a.startedAt - b.startedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A history with ties on startedAt, every status and several patterns, workflows and agents. */
export interface History {
  runs: RunRecord[];
  steps: StepRunRecord[];
  /** The agents that made an attempt in each run. */
  agentsOf: Map<string, Set<string>>;
}

const STATUSES: RunStatus[] = [
  'COMPLETED',
  'FAILED',
  'RUNNING',
  'COMPLETED',
  'CANCELLED',
  'TIMED_OUT',
  'COMPENSATED',
];
const PATTERNS: Pattern[] = ['SEQUENTIAL', 'PARALLEL', 'SAGA', 'MAP_REDUCE', 'CONDITIONAL'];
const WORKFLOWS = ['wf-alpha', 'wf-beta', 'wf-gamma'];
const AGENTS = ['zumbi', 'anita', 'tiradentes', 'machado'];

export function buildHistory(count = 60): History {
  const runs: RunRecord[] = [];
  const steps: StepRunRecord[] = [];
  const agentsOf = new Map<string, Set<string>>();
  for (let i = 0; i < count; i++) {
    // Ids are not in startedAt order, and several runs share a startedAt, so the id tie-break matters.
    const id = `run-${String((i * 37) % 101).padStart(3, '0')}`;
    const startedAt = T0 + ((i * 7) % 23) * 1000;
    const status = STATUSES[i % STATUSES.length] as RunStatus;
    let run = runRecord(id, {
      workflowId: WORKFLOWS[i % WORKFLOWS.length] as string,
      pattern: PATTERNS[i % PATTERNS.length] as Pattern,
      startedAt,
    });
    if (status !== 'RUNNING') run = finished(run, status, startedAt + 500 + i);
    runs.push(run);
    const primary = AGENTS[i % AGENTS.length] as string;
    const agents = new Set([primary]);
    if (i % 5 === 0) {
      // The primary agent failed and the fallback took over: both made an attempt.
      const fallback = 'bira';
      agents.add(fallback);
      steps.push(
        stepRecord(id, 1, {
          agent: fallback,
          attempts: 2,
          attemptLog: [
            attempt(primary, { error: { kind: 'AGENT_FAILURE', message: 'boom' } }),
            attempt(fallback, { attempt: 2, fallback: true }),
          ],
        }),
      );
    } else {
      steps.push(stepRecord(id, 1, { agent: primary }));
    }
    if (i % 3 === 0) {
      const second = AGENTS[(i + 1) % AGENTS.length] as string;
      agents.add(second);
      steps.push(stepRecord(id, 2, { agent: second }));
    }
    agentsOf.set(id, agents);
  }
  return { runs, steps, agentsOf };
}

/** What the contract says a filter selects, in ascending key order. */
export function expectedRuns(history: History, filter: RunFilter): RunSummary[] {
  return history.runs
    .filter(
      (run) =>
        (filter.status === undefined || filter.status.includes(run.status)) &&
        (filter.workflowId === undefined || run.workflowId === filter.workflowId) &&
        (filter.pattern === undefined || filter.pattern.includes(run.pattern)) &&
        (filter.agent === undefined || (history.agentsOf.get(run.id)?.has(filter.agent) ?? false)) &&
        (filter.startedAfter === undefined || run.startedAt >= filter.startedAfter) &&
        (filter.startedBefore === undefined || run.startedAt < filter.startedBefore),
    )
    .sort(byKey)
    .map(summaryOf);
}
