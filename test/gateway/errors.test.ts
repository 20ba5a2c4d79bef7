/**
 * "Malformed documents and invalid inputs give typed errors."
 *
 * Documents that do not parse or validate are refused with 400 over HTTP, and over WebSocket with an
 * `error` message for that operation only: the socket stays open and another subscription on it keeps
 * receiving its events. Invalid inputs give the typed member of the mutation's result union (with every
 * validation issue and its path), and invalid arguments of queries and subscriptions an error with a
 * code, for that operation only.
 */

import { describe, expect, it } from 'vitest';
import {
  CancelRunMutation,
  ExecuteAgentMutation,
  ExecuteWorkflowMutation,
  PublishEventMutation,
  RegisterWorkflowMutation,
  RunEventsSubscription,
  RunsQuery,
  RunWithEventsQuery,
  WorkflowsQuery,
} from '../../src/client/operations.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { followWs, startRun, summary } from './support/runs.ts';
import {
  connectWs,
  type FeedEnd,
  http,
  query,
  subscribeSse,
  subscribeWs,
  wsOnce,
} from './support/transports.ts';

const workflows = [
  { id: 'quick', name: 'Quick', pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'echo', action: 'run' }] },
  { id: 'held', name: 'Held', pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'holder', action: 'run' }] },
];

async function gateway() {
  const holder = new ScriptedAgent('holder', { behaviour: held });
  const h = await startHarness({
    agents: [new ScriptedAgent('echo', { capabilities: ['echoing'] }), holder],
    workflows,
  });
  return { h, holder, url: h.gateway.url };
}

/** The GraphQL errors of a WebSocket `error` message. */
function errorsOf(end: FeedEnd): { message: string; extensions?: Record<string, unknown> }[] {
  expect(end.kind).toBe('error');
  return (end as { error: { message: string; extensions?: Record<string, unknown> }[] }).error;
}

describe('malformed documents over HTTP', () => {
  it('a syntax error is a 400 with the parse error', async () => {
    const { url } = await gateway();
    const response = await http(url, '{ workflows { workflowId ');
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Syntax Error: Expected Name, found <EOF>.',
        extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }),
      }),
    ]);
  });

  it('an unknown field is a 400 with the validation error', async () => {
    const { url } = await gateway();
    const response = await http(url, '{ workflows { workflowId nope } }');
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "nope" on type "Workflow". Did you mean "name"?',
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
  });
});

describe('malformed documents over WebSocket', () => {
  it('fail only their own operation: the socket and a live subscription on it carry on', async () => {
    const { h, holder } = await gateway();
    const runId = await startRun(h.gateway.url, 'held');
    const ws = connectWs(h.gateway.wsUrl);
    const live = followWs(ws, runId);
    expect((await live.events.until('STEP_STARTED')).stepId).toBe('a');

    const syntax = subscribeWs(ws, 'subscription { runEvents(runId: "x") { seq ');
    const syntaxErrors = errorsOf(await syntax.feed.done);
    expect(syntaxErrors).toHaveLength(1);
    expect(syntaxErrors[0]).toMatchObject({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });

    const unknown = subscribeWs(ws, `subscription { runEvents(runId: "${runId}") { seq nope } }`);
    expect(errorsOf(await unknown.feed.done)).toEqual([
      {
        message: 'Cannot query field "nope" on type "RunEvent". Did you mean "type"?',
        locations: [{ line: 1, column: 79 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);

    const missingArgument = subscribeWs(ws, 'subscription { runEvents { seq } }');
    expect(errorsOf(await missingArgument.feed.done)[0]?.message).toBe(
      'Field "runEvents" argument "runId" of type "ID!" is required, but it was not provided.',
    );

    // The first subscription is untouched: the run goes on and its events keep arriving.
    (await holder.call(1)).release({ done: true });
    const rest = await live.events.all();
    expect(summary(rest)).toEqual(['RUN_STARTED', 'STEP_STARTED:a', 'STEP_COMPLETED:a', 'RUN_COMPLETED']);
    expect((await wsOnce(ws, WorkflowsQuery)).data?.workflows).toHaveLength(2);
    await ws.dispose();
    expect((await ws.closed).code).toBe(1000);
  });

  it('runEvents of an unknown run fails that operation only', async () => {
    const { h, holder } = await gateway();
    const runId = await startRun(h.gateway.url, 'held');
    const ws = connectWs(h.gateway.wsUrl);
    const live = followWs(ws, runId);
    await live.events.until('STEP_STARTED');

    const unknown = subscribeWs(ws, RunEventsSubscription, { runId: 'no-such-run' });
    const [result] = await unknown.feed.all();
    expect(result?.data).toBeUndefined();
    expect(result?.errors).toEqual([
      expect.objectContaining({
        message: 'run "no-such-run" does not exist',
        path: ['runEvents'],
        extensions: { code: 'NOT_FOUND' },
      }),
    ]);

    (await holder.call(1)).release({});
    expect(summary(await live.events.all()).at(-1)).toBe('RUN_COMPLETED');
    await ws.dispose();
  });
});

describe('runEvents of an unknown run over SSE', () => {
  it('answers with the NOT_FOUND error and ends the stream', async () => {
    const { url } = await gateway();
    const sse = await subscribeSse(url, RunEventsSubscription, { runId: 'no-such-run' });
    expect(sse.status).toBe(200);
    const results = await sse.feed.all();
    expect(results).toEqual([
      {
        errors: [
          expect.objectContaining({
            message: 'run "no-such-run" does not exist',
            extensions: { code: 'NOT_FOUND' },
          }),
        ],
      },
    ]);
  });
});

describe('invalid inputs give the typed member of the result union', () => {
  it('an invalid workflow definition is a ValidationError listing every issue with its path', async () => {
    const { url } = await gateway();
    const shape = await query(url, RegisterWorkflowMutation, {
      definition: { id: '1bad', name: '', pattern: 'ZIGZAG', steps: [], colour: 'red' },
    });
    expect(shape.registerWorkflow.__typename).toBe('ValidationError');
    if (shape.registerWorkflow.__typename !== 'ValidationError') return;
    expect(shape.registerWorkflow.issues.map((i) => i.path).sort()).toEqual([
      '',
      'id',
      'name',
      'pattern',
      'steps',
    ]);

    const references = await query(url, RegisterWorkflowMutation, {
      definition: {
        id: 'bad',
        name: 'Bad',
        pattern: 'SEQUENTIAL',
        merge: { strategy: 'COLLECT' },
        steps: [
          { id: 'a', agent: 'nobody', action: 'run' },
          { id: 'a', agent: 'echo', action: 'fly' },
          { id: 'c', agent: 'echo', capabilities: ['echoing'], action: 'run' },
        ],
      },
    });
    const result = references.registerWorkflow;
    expect(result.__typename).toBe('ValidationError');
    if (result.__typename !== 'ValidationError') return;
    expect(result.issues.map((i) => i.path).sort()).toEqual([
      'merge',
      'steps.0.agent',
      'steps.1.action',
      'steps.1.id',
      'steps.2',
    ]);
    expect(result.issues.find((i) => i.path === 'steps.1.id')?.message).toBe(
      'duplicate step id "a" (also steps.0)',
    );
    expect(result.message).toMatch(/^workflow "bad" is invalid: .* \(and 4 more\)$/);
  });

  it('an unknown workflow is a WorkflowNotFoundError; a non-object input a ValidationError', async () => {
    const { url } = await gateway();
    const unknown = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'nope' } });
    expect(unknown.executeWorkflow).toEqual({
      __typename: 'WorkflowNotFoundError',
      workflowId: 'nope',
      message: 'workflow "nope" does not exist',
    });
    const version = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'quick@7' } });
    expect(version.executeWorkflow).toMatchObject({
      __typename: 'WorkflowNotFoundError',
      workflowId: 'quick@7',
    });
    const input = await query(url, ExecuteWorkflowMutation, {
      input: { workflowId: 'quick', input: [1, 2] },
    });
    expect(input.executeWorkflow).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: 'input', message: 'must be a JSON object' }],
    });
  });

  it('cancelling an unknown run is a RunNotFoundError, a finished run an InvalidStateError', async () => {
    const { url } = await gateway();
    const unknown = await query(url, CancelRunMutation, { id: 'Run:no-such-run' });
    expect(unknown.cancelRun).toEqual({
      __typename: 'RunNotFoundError',
      runId: 'no-such-run',
      message: 'run "no-such-run" does not exist',
    });

    const done = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'quick', wait: true } });
    if (done.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
    expect(done.executeWorkflow.run.status).toBe('COMPLETED');
    const finished = await query(url, CancelRunMutation, { id: done.executeWorkflow.run.runId });
    expect(finished.cancelRun).toMatchObject({ __typename: 'InvalidStateError', status: 'COMPLETED' });
  });

  it('executeAgent with both an agent and capabilities is a ValidationError', async () => {
    const { url } = await gateway();
    const both = await query(url, ExecuteAgentMutation, {
      input: { agent: 'echo', capabilities: ['echoing'], action: 'run' },
    });
    expect(both.executeAgent).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: 'input.agent', message: 'give exactly one of "agent" or "capabilities"' }],
    });
    const neither = await query(url, ExecuteAgentMutation, { input: { action: 'run' } });
    expect(neither.executeAgent.__typename).toBe('ValidationError');
    const unknown = await query(url, ExecuteAgentMutation, { input: { agent: 'nobody', action: 'run' } });
    expect(unknown.executeAgent).toMatchObject({ __typename: 'AgentNotFoundError', unknownAgent: 'nobody' });
    const byCapability = await query(url, ExecuteAgentMutation, {
      input: { capabilities: ['echoing'], action: 'run', input: { n: 1 } },
    });
    expect(byCapability.executeAgent).toMatchObject({
      __typename: 'ExecuteAgentSuccess',
      agent: { name: 'echo' },
      output: { action: 'run', payload: { n: 1 } },
      attempts: [{ attempt: 1, agentName: 'echo', fallback: false }],
    });
  });

  it('publishing a malformed event name is a ValidationError', async () => {
    const { url } = await gateway();
    const result = await query(url, PublishEventMutation, { input: { name: '!bad name', payload: {} } });
    expect(result.publishEvent).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'name' }] });
  });
});

describe('invalid arguments of queries', () => {
  it('runs(first: 1000) is refused with BAD_USER_INPUT', async () => {
    const { url } = await gateway();
    const response = await http(url, RunsQuery, { first: 1000 });
    expect(response.status).toBe(200);
    expect(response.body.data).toBeNull();
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        path: ['runs'],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
    expect(response.body.errors?.[0]?.message).toMatch(/first/);
  });

  it('first with last, and a forged cursor, are refused too', async () => {
    const { url } = await gateway();
    const both = await http(url, RunsQuery, { first: 1, last: 1 });
    expect(both.body.errors?.[0]).toMatchObject({
      path: ['runs'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const forged = await http(url, RunsQuery, { first: 1, after: 'not-a-cursor' });
    expect(forged.body.errors?.[0]).toMatchObject({
      message: 'pagination is invalid: after: is not a cursor returned by this API',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('Run.events(first: 0) fails that field only', async () => {
    const { url } = await gateway();
    const done = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'quick', wait: true } });
    if (done.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
    const response = await http(url, RunWithEventsQuery, { id: done.executeWorkflow.run.runId, first: 0 });
    // `events` is non-null: its error nulls the run, and only the run.
    expect(response.body.data).toEqual({ run: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]).toMatchObject({
      path: ['run', 'events'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
