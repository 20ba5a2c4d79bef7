/**
 * Shorthands for runs driven through the gateway: start one over HTTP, follow its events over WebSocket
 * and SSE, and read the result back.
 */

import { expect } from 'vitest';
import type {
  RunEventsSubscription as RunEventsResult,
  RunQuery as RunResult,
} from '../../../src/client/generated/graphql.ts';
import { ExecuteWorkflowMutation, RunEventsSubscription, RunQuery } from '../../../src/client/operations.ts';
import { type Feed, query, type Result, subscribeSse, subscribeWs, type WsConnection } from './transports.ts';

export type RunEventMessage = RunEventsResult['runEvents'];

export const TERMINAL_TYPES = [
  'RUN_COMPLETED',
  'RUN_FAILED',
  'RUN_CANCELLED',
  'RUN_COMPENSATED',
  'RUN_TIMED_OUT',
  'RUN_INTERRUPTED',
] as const;

/** Starts a run over HTTP and returns its id; fails the test unless the run started. */
export async function startRun(
  url: string,
  workflowId: string,
  input: unknown = {},
  key?: string,
): Promise<string> {
  const data = await query(
    url,
    ExecuteWorkflowMutation,
    { input: { workflowId, input } },
    key ? { key } : {},
  );
  const result = data.executeWorkflow;
  if (result.__typename !== 'ExecuteWorkflowSuccess')
    throw new Error(`run not started: ${JSON.stringify(result)}`);
  expect(result.run.status).toBe('RUNNING');
  return result.run.runId;
}

export async function getRun(url: string, id: string, key?: string): Promise<NonNullable<RunResult['run']>> {
  const data = await query(url, RunQuery, { id }, key ? { key } : {});
  if (!data.run) throw new Error(`run ${id} not found`);
  return data.run;
}

/** A feed of run events, unwrapped from their GraphQL results (an error result fails the read). */
export class EventFeed {
  readonly #feed: Feed<Result<RunEventsResult>>;
  constructor(feed: Feed<Result<RunEventsResult>>) {
    this.#feed = feed;
  }

  get raw(): Feed<Result<RunEventsResult>> {
    return this.#feed;
  }

  async next(): Promise<RunEventMessage> {
    return unwrap(await this.#feed.next());
  }

  /** Reads up to and including the first event of this type (and step). */
  async until(type: string, stepId?: string | null): Promise<RunEventMessage> {
    for (;;) {
      const event = await this.next();
      if (event.type === type && (stepId === undefined || event.stepId === stepId)) return event;
    }
  }

  /** Every event received, once the subscription has completed. */
  async all(): Promise<RunEventMessage[]> {
    return (await this.#feed.all()).map(unwrap);
  }
}

function unwrap(result: Result<RunEventsResult>): RunEventMessage {
  if (result.errors?.length || !result.data) throw new Error(`error result: ${JSON.stringify(result)}`);
  return result.data.runEvents;
}

export function followWs(connection: WsConnection, runId: string, afterSeq?: number) {
  const subscription = subscribeWs(connection, RunEventsSubscription, {
    runId,
    ...(afterSeq === undefined ? {} : { afterSeq }),
  });
  return { events: new EventFeed(subscription.feed), unsubscribe: subscription.unsubscribe };
}

export async function followSse(url: string, runId: string, afterSeq?: number, key?: string) {
  const stream = await subscribeSse(
    url,
    RunEventsSubscription,
    { runId, ...(afterSeq === undefined ? {} : { afterSeq }) },
    key ? { key } : {},
  );
  expect(stream.status).toBe(200);
  return { events: new EventFeed(stream.feed), abort: stream.abort };
}

/** `TYPE` or `TYPE:stepId`, for exact and readable sequence assertions. */
export const summary = (events: readonly RunEventMessage[]): string[] =>
  events.map((e) => (e.stepId === null ? e.type : `${e.type}:${e.stepId}`));

/** seq runs from `first` without gaps or duplicates, every event belongs to the run, the last is terminal. */
export function expectCompleteLog(events: readonly RunEventMessage[], runId: string, first = 1): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => first + i));
  expect(new Set(events.map((e) => e.runId))).toEqual(new Set([runId]));
  const terminals = events.filter((e) => (TERMINAL_TYPES as readonly string[]).includes(e.type));
  expect(terminals).toHaveLength(1);
  expect(terminals[0]).toBe(events.at(-1));
}
