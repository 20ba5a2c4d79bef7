/**
 * Small pieces every store shares: which agents a batch's steps attempted, argument checks and the
 * errors the stores raise, so that the three dialects fail with the same words.
 */

import type { StepRunRecord } from '../engine/run.ts';
import type { RetentionPolicy, StoreBatch } from '../engine/store.ts';

/** A (run, agent) pair for the agent filter. */
export interface RunAgent {
  runId: string;
  agent: string;
}

/**
 * The agents that made an attempt in these step records, once per run: the agent of every logged
 * attempt (fallbacks included, so a run whose primary agent failed before its fallback took over is
 * found under both) plus the step's outcome agent, which made an attempt by definition.
 */
export function attemptedAgents(steps: readonly StepRunRecord[]): RunAgent[] {
  const seen = new Set<string>();
  const pairs: RunAgent[] = [];
  const add = (runId: string, agent: string) => {
    const key = `${runId}\u0000${agent}`;
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push({ runId, agent });
  };
  for (const step of steps) {
    for (const attempt of step.attemptLog) add(step.runId, attempt.agent);
    if (step.agent !== null) add(step.runId, step.agent);
  }
  return pairs;
}

/** A batch that could not be applied; nothing of it was kept. The database's error is the cause. */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
}

export function writeFailed(dialect: string, batch: StoreBatch, cause: unknown): StoreWriteError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreWriteError(
    `${dialect} store: batch of ${batch.runs.length} runs, ${batch.steps.length} steps and ` +
      `${batch.events.length} events rolled back: ${reason}`,
    { cause },
  );
}

export function storeClosed(dialect: string): Error {
  return new Error(`${dialect} store is closed`);
}

export function checkEventLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`getEvents: limit must be a non-negative integer, got ${limit}`);
  }
}

export function checkRetentionPolicy(policy: RetentionPolicy): void {
  const { finishedBefore, maxFinishedRuns } = policy;
  if (finishedBefore !== undefined && !Number.isFinite(finishedBefore)) {
    throw new RangeError(`prune: finishedBefore must be a finite epoch-ms number, got ${finishedBefore}`);
  }
  if (maxFinishedRuns !== undefined && (!Number.isInteger(maxFinishedRuns) || maxFinishedRuns < 0)) {
    throw new RangeError(`prune: maxFinishedRuns must be a non-negative integer, got ${maxFinishedRuns}`);
  }
}

/** Runs deleted per prune transaction: large enough to be efficient, small enough not to stall writers. */
export const PRUNE_BATCH_SIZE = 1000;

/** Lets queued work (the engine's writes) run between two prune transactions. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
