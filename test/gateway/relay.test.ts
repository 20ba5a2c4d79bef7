/**
 * Relay: global ids resolve through `node` for runs, workflows and agents; `workflow(id)` accepts the
 * own id, `id@version` and the global id; the `runs` connection pages forward and backward with cursors
 * that stay valid while new runs arrive, counts with `totalCount`, filters and orders.
 */

import { describe, expect, it } from 'vitest';
import type { RunsQueryVariables, RunsQuery as RunsResult } from '../../src/client/generated/graphql.ts';
import {
  ExecuteWorkflowMutation,
  NodeQuery,
  RegisterWorkflowMutation,
  RunsQuery,
  WorkflowQuery,
} from '../../src/client/operations.ts';
import { failing, ScriptedAgent } from './support/agents.ts';
import { type Harness, startHarness } from './support/harness.ts';
import { getRun } from './support/runs.ts';
import { http, query } from './support/transports.ts';

const workflows = [
  { id: 'alpha', name: 'Alpha', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'echo', action: 'run' }] },
  {
    id: 'beta',
    name: 'Beta',
    pattern: 'PARALLEL',
    steps: [
      { id: 'x', agent: 'echo', action: 'run' },
      { id: 'y', agent: 'helper', action: 'run' },
    ],
  },
  { id: 'gamma', name: 'Gamma', pattern: 'SEQUENTIAL', steps: [{ id: 's', agent: 'broken', action: 'run' }] },
];

async function withRuns(order: string[]): Promise<{ h: Harness; url: string; runs: string[] }> {
  const h = await startHarness({
    agents: [
      new ScriptedAgent('echo'),
      new ScriptedAgent('helper'),
      new ScriptedAgent('broken', { behaviour: failing() }),
    ],
    workflows,
  });
  const url = h.gateway.url;
  const runs: string[] = [];
  for (const workflowId of order) runs.push(await finishedRun(url, workflowId));
  return { h, url, runs };
}

async function finishedRun(url: string, workflowId: string): Promise<string> {
  const data = await query(url, ExecuteWorkflowMutation, { input: { workflowId, wait: true } });
  if (data.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
  return data.executeWorkflow.run.runId;
}

const page = (url: string, variables: RunsQueryVariables) => query(url, RunsQuery, variables);
const ids = (data: RunsResult) => data.runs.edges.map((e) => e.node.runId);

describe('node(id)', () => {
  it('resolves the global ids of a run, a workflow version and an agent', async () => {
    const { url, runs } = await withRuns(['alpha']);
    const runId = runs[0] as string;

    const run = await query(url, NodeQuery, { id: `Run:${runId}` });
    expect(run.node).toEqual({ __typename: 'Run', id: `Run:${runId}`, runId, status: 'COMPLETED' });
    const workflow = await query(url, NodeQuery, { id: 'Workflow:alpha@1' });
    expect(workflow.node).toEqual({
      __typename: 'Workflow',
      id: 'Workflow:alpha@1',
      workflowId: 'alpha',
      version: 1,
    });
    const agent = await query(url, NodeQuery, { id: 'Agent:echo' });
    expect(agent.node).toEqual({ __typename: 'Agent', id: 'Agent:echo', name: 'echo' });

    // The ids the API hands out are the ones node() accepts.
    const viaRun = await getRun(url, `Run:${runId}`);
    expect(viaRun.id).toBe(`Run:${runId}`);
    expect((await query(url, NodeQuery, { id: viaRun.id })).node?.__typename).toBe('Run');
  });

  it('answers null for an id of an unknown entity or type', async () => {
    const { url } = await withRuns([]);
    for (const id of ['Run:nope', 'Workflow:nope@1', 'Agent:nobody', 'Thing:1', 'no-colon']) {
      const response = await http(url, NodeQuery, { id });
      expect(response.body.data?.node, id).toBeNull();
    }
  });
});

describe('workflow(id)', () => {
  it('accepts the own id (latest), id@version and the global id', async () => {
    const { url } = await withRuns([]);
    const v2 = await query(url, RegisterWorkflowMutation, {
      definition: { ...workflows[0], name: 'Alpha, renamed' },
    });
    expect(v2.registerWorkflow).toMatchObject({
      created: true,
      workflow: { id: 'Workflow:alpha@2', version: 2 },
    });

    const byId = await query(url, WorkflowQuery, { id: 'alpha' });
    expect(byId.workflow).toMatchObject({
      id: 'Workflow:alpha@2',
      version: 2,
      latestVersion: 2,
      name: 'Alpha, renamed',
    });
    expect(byId.workflow?.versions.map((v) => v.version)).toEqual([1, 2]);

    const versioned = await query(url, WorkflowQuery, { id: 'alpha@1' });
    expect(versioned.workflow).toMatchObject({
      id: 'Workflow:alpha@1',
      version: 1,
      latestVersion: 2,
      name: 'Alpha',
    });
    const global = await query(url, WorkflowQuery, { id: 'Workflow:alpha@1' });
    expect(global.workflow).toEqual(versioned.workflow);
    const globalLatest = await query(url, WorkflowQuery, { id: 'Workflow:alpha' });
    expect(globalLatest.workflow?.version).toBe(2);

    for (const id of ['nope', 'alpha@3', 'Workflow:nope@1']) {
      expect((await query(url, WorkflowQuery, { id })).workflow, id).toBeNull();
    }
  });
});

describe('the runs connection', () => {
  it('pages forward with cursors that stay valid while new runs arrive', async () => {
    const { url, runs } = await withRuns(['alpha', 'alpha', 'beta', 'gamma', 'alpha', 'beta', 'gamma']);
    const newestFirst = [...runs].reverse();

    const first = await page(url, { first: 3 });
    expect(ids(first)).toEqual(newestFirst.slice(0, 3));
    expect(first.runs.totalCount).toBe(7);
    expect(first.runs.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.runs.pageInfo.startCursor).toBe(first.runs.edges[0]?.cursor);
    expect(first.runs.pageInfo.endCursor).toBe(first.runs.edges[2]?.cursor);

    // New runs arrive between two pages: they are newer than the cursor, so the next pages are unchanged.
    const added = [await finishedRun(url, 'alpha'), await finishedRun(url, 'beta')];

    const second = await page(url, { first: 3, after: first.runs.pageInfo.endCursor });
    expect(ids(second)).toEqual(newestFirst.slice(3, 6));
    expect(second.runs.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(second.runs.totalCount).toBe(9);
    const third = await page(url, { first: 3, after: second.runs.pageInfo.endCursor });
    expect(ids(third)).toEqual(newestFirst.slice(6));
    expect(third.runs.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // The same cursor gives the same page again; the new runs are on top.
    expect(ids(await page(url, { first: 3, after: first.runs.pageInfo.endCursor }))).toEqual(ids(second));
    expect(ids(await page(url, { first: 2 }))).toEqual([...added].reverse());
  });

  it('pages backward from the oldest runs towards the newest', async () => {
    const { url, runs } = await withRuns(['alpha', 'beta', 'alpha', 'gamma', 'alpha', 'beta']);
    const newestFirst = [...runs].reverse();

    const oldest = await page(url, { last: 2 });
    // Backward pages are still in orderBy order (newest first).
    expect(ids(oldest)).toEqual(newestFirst.slice(4));
    expect(oldest.runs.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });

    const middle = await page(url, { last: 2, before: oldest.runs.pageInfo.startCursor });
    expect(ids(middle)).toEqual(newestFirst.slice(2, 4));
    expect(middle.runs.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    const added = await finishedRun(url, 'alpha');
    const newest = await page(url, { last: 10, before: middle.runs.pageInfo.startCursor });
    expect(ids(newest)).toEqual([added, ...newestFirst.slice(0, 2)]);
    expect(newest.runs.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('orders oldest first with STARTED_AT_ASC, in both directions', async () => {
    const { url, runs } = await withRuns(['alpha', 'beta', 'gamma', 'alpha']);
    const asc = await page(url, { first: 10, orderBy: 'STARTED_AT_ASC' });
    expect(ids(asc)).toEqual(runs);
    const startedAt = asc.runs.edges.map((e) => Date.parse(e.node.startedAt));
    expect([...startedAt].sort((a, b) => a - b)).toEqual(startedAt);
    const firstTwo = await page(url, { first: 2, orderBy: 'STARTED_AT_ASC' });
    const rest = await page(url, {
      first: 2,
      after: firstTwo.runs.pageInfo.endCursor,
      orderBy: 'STARTED_AT_ASC',
    });
    expect([...ids(firstTwo), ...ids(rest)]).toEqual(runs);
    expect(ids(await page(url, { last: 1, orderBy: 'STARTED_AT_ASC' }))).toEqual([runs[3]]);
  });

  it('filters by status, workflow, pattern, agent and start time, and counts the matches', async () => {
    const { url, runs } = await withRuns(['alpha', 'beta', 'gamma', 'alpha', 'beta', 'gamma', 'alpha']);
    const [a1, b1, g1, a2, b2, g2, a3] = runs as [string, string, string, string, string, string, string];
    const filtered = async (filter: RunsQueryVariables['filter']) => {
      const data = await page(url, { first: 50, filter });
      return { ids: ids(data), totalCount: data.runs.totalCount };
    };

    expect(await filtered({ status: ['FAILED'] })).toEqual({ ids: [g2, g1], totalCount: 2 });
    expect(await filtered({ status: ['COMPLETED'], workflowId: 'alpha' })).toEqual({
      ids: [a3, a2, a1],
      totalCount: 3,
    });
    expect(await filtered({ workflowId: 'Workflow:beta@1' })).toEqual({ ids: [b2, b1], totalCount: 2 });
    expect(await filtered({ pattern: ['PARALLEL'] })).toEqual({ ids: [b2, b1], totalCount: 2 });
    expect(await filtered({ pattern: ['PARALLEL', 'SEQUENTIAL'] })).toEqual({
      ids: [...runs].reverse(),
      totalCount: 7,
    });
    expect(await filtered({ agent: 'helper' })).toEqual({ ids: [b2, b1], totalCount: 2 });
    expect(await filtered({ agent: 'echo' })).toEqual({ ids: [a3, b2, a2, b1, a1], totalCount: 5 });
    expect(await filtered({ agent: 'nobody' })).toEqual({ ids: [], totalCount: 0 });

    // startedAfter is inclusive, startedBefore exclusive; compared with the runs' own start times.
    const all = await page(url, { first: 50 });
    const startedAt = new Map(all.runs.edges.map((e) => [e.node.runId, e.node.startedAt]));
    const after = startedAt.get(a2) as string;
    const before = startedAt.get(a3) as string;
    const expected = all.runs.edges
      .filter(
        (e) =>
          Date.parse(e.node.startedAt) >= Date.parse(after) &&
          Date.parse(e.node.startedAt) < Date.parse(before),
      )
      .map((e) => e.node.runId);
    expect(expected).toContain(a2);
    expect(expected).not.toContain(a3);
    expect(await filtered({ startedAfter: after, startedBefore: before })).toEqual({
      ids: expected,
      totalCount: expected.length,
    });
    expect(await filtered({ startedAfter: after, startedBefore: before, status: ['FAILED'] })).toEqual({
      ids: expected.filter((id) => id === g2),
      totalCount: expected.includes(g2) ? 1 : 0,
    });

    // Filters and paging together: the cursor pages within the filtered list.
    const firstFailed = await page(url, { first: 1, filter: { status: ['FAILED'] } });
    expect(ids(firstFailed)).toEqual([g2]);
    const nextFailed = await page(url, {
      first: 1,
      after: firstFailed.runs.pageInfo.endCursor,
      filter: { status: ['FAILED'] },
    });
    expect(ids(nextFailed)).toEqual([g1]);
    expect(nextFailed.runs.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses to page forward and backward at once', async () => {
    const { url } = await withRuns(['alpha', 'alpha']);
    const cursor = (await page(url, { first: 1 })).runs.pageInfo.endCursor as string;
    for (const variables of [
      { first: 1, last: 1 },
      { first: 1, before: cursor },
      { last: 1, after: cursor },
    ]) {
      const response = await http(url, RunsQuery, variables);
      expect(response.body.data, JSON.stringify(variables)).toBeNull();
      expect(response.body.errors?.[0], JSON.stringify(variables)).toMatchObject({
        message:
          'input is invalid: last: page forward with first/after or backward with last/before, not both',
        extensions: { code: 'BAD_USER_INPUT', issues: [{ path: 'last' }] },
      });
    }
  });
});
