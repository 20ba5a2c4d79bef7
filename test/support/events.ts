/**
 * Waiting for and checking run events through the engine's own subscription API (no polling, no sleep).
 */

import { expect } from 'vitest';
import type { EventStream } from '../../src/engine/event-stream.ts';
import { isTerminalEventType, type RunEvent } from '../../src/engine/events.ts';
import type { Orchestrator } from '../../src/engine/orchestrator.ts';
import type { RunRecord } from '../../src/engine/run.ts';

/**
 * Resolves with the first event of the run (replayed or live) that matches; the subscription is
 * disposed either way. Rejects when the run ends without such an event.
 */
export async function waitForEvent(
  orchestrator: Orchestrator,
  runId: string,
  predicate: (event: RunEvent) => boolean,
  afterSeq = 0,
): Promise<RunEvent> {
  const stream = await orchestrator.runEvents(runId, afterSeq);
  try {
    for await (const event of stream) if (predicate(event)) return event;
  } finally {
    await stream.return();
  }
  throw new Error(`run ${runId} ended without the awaited event`);
}

/** Shorthand: the first event of this type (and step, when given). */
export const waitForType = (
  orchestrator: Orchestrator,
  runId: string,
  type: RunEvent['type'],
  stepId?: string,
): Promise<RunEvent> =>
  waitForEvent(orchestrator, runId, (e) => e.type === type && (stepId === undefined || e.stepId === stepId));

/** Every event of a stream until it ends. */
export async function drain<T>(stream: EventStream<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of stream) out.push(value);
  return out;
}

/** Every event of the run after `afterSeq`, replayed and live, until the terminal event. */
export async function collectEvents(
  orchestrator: Orchestrator,
  runId: string,
  afterSeq = 0,
): Promise<RunEvent[]> {
  return drain(await orchestrator.runEvents(runId, afterSeq));
}

/** `TYPE` or `TYPE:stepId`, for exact and readable sequence assertions. */
export function summary(events: readonly RunEvent[]): string[] {
  return events.map((e) => (e.stepId === null ? e.type : `${e.type}:${e.stepId}`));
}

const STEP_TERMINAL = new Set(['STEP_COMPLETED', 'STEP_FAILED']);
const STEP_INNER = new Set(['STEP_RETRYING', 'STEP_TIMED_OUT', 'STEP_FALLBACK']);

/**
 * The log's guarantees, checked on a complete log: seq 1..n without gaps; exactly one terminal event,
 * last; every STEP_STARTED closed by exactly one STEP_COMPLETED or STEP_FAILED of the same execution,
 * with only STEP_RETRYING / STEP_TIMED_OUT / STEP_FALLBACK of that execution in between; STEP_SKIPPED
 * alone; COMPENSATION_STARTED closed by exactly one COMPENSATION_COMPLETED or COMPENSATION_FAILED.
 */
export function expectWellFormedLog(events: readonly RunEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const runIds = new Set(events.map((e) => e.runId));
  expect(runIds.size).toBe(1);
  const terminals = events.filter((e) => isTerminalEventType(e.type));
  expect(terminals).toHaveLength(1);
  expect(isTerminalEventType(events.at(-1)?.type ?? 'RUN_STARTED')).toBe(true);
  expect(events[0]?.type).toBe('RUN_STARTED');

  const open = new Map<number, 'step' | 'compensation'>();
  const seen = new Set<number>();
  for (const event of events) {
    const execution = (event.data as { execution?: number } | null)?.execution;
    if (event.type === 'STEP_STARTED' || event.type === 'COMPENSATION_STARTED') {
      expect(typeof execution).toBe('number');
      expect(seen.has(execution as number), `execution ${execution} started twice`).toBe(false);
      seen.add(execution as number);
      open.set(execution as number, event.type === 'STEP_STARTED' ? 'step' : 'compensation');
    } else if (STEP_TERMINAL.has(event.type)) {
      expect(open.get(execution as number), `${event.type} seq ${event.seq} without STEP_STARTED`).toBe(
        'step',
      );
      open.delete(execution as number);
    } else if (event.type === 'COMPENSATION_COMPLETED' || event.type === 'COMPENSATION_FAILED') {
      expect(open.get(execution as number), `${event.type} seq ${event.seq} without its start`).toBe(
        'compensation',
      );
      open.delete(execution as number);
    } else if (STEP_INNER.has(event.type)) {
      expect(open.has(execution as number), `${event.type} seq ${event.seq} outside an open execution`).toBe(
        true,
      );
    } else if (event.type === 'STEP_SKIPPED') {
      expect(seen.has(execution as number), `STEP_SKIPPED of an execution that started`).toBe(false);
      seen.add(execution as number);
    }
  }
  expect([...open.keys()], 'executions left open').toEqual([]);
}

/** Resolves with the stored run once its terminal event has been published. */
export async function waitForEnd(orchestrator: Orchestrator, runId: string): Promise<RunRecord> {
  await waitForEvent(orchestrator, runId, (e) => isTerminalEventType(e.type));
  const run = await orchestrator.getRun(runId);
  if (!run) throw new Error(`run ${runId} vanished`);
  return run;
}
