/**
 * Runs through the API: waiting for the end, pinning a version, cancelling a run in flight (its
 * subscribers see it end CANCELLED), and reading a run back with its steps, attempts and stored events.
 */

import { describe, expect, it } from 'vitest';
import {
  CancelRunMutation,
  ExecuteWorkflowMutation,
  RegisterWorkflowMutation,
  RunWithEventsQuery,
  StatsQuery,
} from '../../src/client/operations.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { expectCompleteLog, followWs, getRun, startRun, summary } from './support/runs.ts';
import { connectWs, http, query } from './support/transports.ts';

const definition = {
  id: 'pipeline',
  name: 'Pipeline',
  pattern: 'SEQUENTIAL',
  steps: [
    { id: 'load', agent: 'loader', action: 'run' },
    { id: 'score', agent: 'worker', action: 'run' },
  ],
};

async function gateway() {
  const worker = new ScriptedAgent('worker', { behaviour: held });
  const h = await startHarness({ agents: [new ScriptedAgent('loader'), worker], workflows: [definition] });
  return { h, worker, url: h.gateway.url };
}

describe('runs through the API', () => {
  it('cancelRun aborts the agent call; the run ends CANCELLED and subscribers see it', async () => {
    const { h, worker, url } = await gateway();
    const runId = await startRun(url, 'pipeline', { n: 1 });
    const call = await worker.call(1);
    const ws = connectWs(h.gateway.wsUrl);
    const events = followWs(ws, runId);
    await events.events.until('STEP_STARTED', 'score');
    expect((await query(url, StatsQuery)).stats.runs.running).toBe(1);

    const cancelled = await query(url, CancelRunMutation, {
      id: `Run:${runId}`,
      reason: 'operator changed their mind',
    });
    expect(cancelled.cancelRun).toEqual({
      __typename: 'CancelRunSuccess',
      run: {
        runId,
        status: 'CANCELLED',
        error: { kind: 'CANCELLED', message: 'operator changed their mind' },
      },
    });
    expect(call.signal.aborted).toBe(true);
    const all = await events.events.all();
    expect(summary(all)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:load',
      'STEP_COMPLETED:load',
      'STEP_STARTED:score',
      'STEP_FAILED:score',
      'RUN_CANCELLED',
    ]);
    expectCompleteLog(all, runId);
    expect(all[4]?.data).toMatchObject({ status: 'CANCELLED' });

    const again = await query(url, CancelRunMutation, { id: runId });
    expect(again.cancelRun).toMatchObject({ __typename: 'InvalidStateError', status: 'CANCELLED' });
    expect((await query(url, StatsQuery)).stats.runs).toMatchObject({ running: 0, total: 1, succeeded: 0 });
    await ws.dispose();
  });

  it('wait: true returns the ended run; id@version runs that version', async () => {
    const { h, worker, url } = await gateway();
    worker.on(null, (call) => ({ version: call.payload.v ?? null }));
    const v2 = await query(url, RegisterWorkflowMutation, {
      definition: { ...definition, steps: [{ id: 'only', agent: 'worker', action: 'run' }] },
    });
    expect(v2.registerWorkflow).toMatchObject({ created: true, workflow: { version: 2 } });
    const same = await query(url, RegisterWorkflowMutation, {
      definition: { ...definition, steps: [{ id: 'only', agent: 'worker', action: 'run' }] },
    });
    expect(same.registerWorkflow).toMatchObject({ created: false, workflow: { version: 2 } });

    const latest = await query(url, ExecuteWorkflowMutation, {
      input: { workflowId: 'pipeline', input: { v: 2 }, wait: true },
    });
    expect(latest.executeWorkflow).toMatchObject({
      __typename: 'ExecuteWorkflowSuccess',
      run: { status: 'COMPLETED', workflowVersion: 2 },
    });
    const pinned = await query(url, ExecuteWorkflowMutation, {
      input: { workflowId: 'Workflow:pipeline@1', input: { v: 1 }, wait: true },
    });
    if (pinned.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
    expect(pinned.executeWorkflow.run).toMatchObject({ status: 'COMPLETED', workflowVersion: 1 });

    const run = await getRun(url, pinned.executeWorkflow.run.runId);
    expect(run).toMatchObject({
      workflowId: 'pipeline',
      workflowVersion: 1,
      input: { v: 1 },
      output: { version: 1 },
      error: null,
      steps: [
        {
          execution: 1,
          stepId: 'load',
          status: 'COMPLETED',
          agentName: 'loader',
          attempts: 1,
          itemIndex: null,
        },
        {
          execution: 2,
          stepId: 'score',
          status: 'COMPLETED',
          agentName: 'worker',
          attempts: 1,
          itemIndex: null,
        },
      ],
    });
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a run reads back its stored events, paged with afterSeq and first', async () => {
    const { h, url, worker } = await gateway();
    const runId = await startRun(url, 'pipeline');
    (await worker.call(1)).release({});
    const ws = connectWs(h.gateway.wsUrl);
    const live = await followWs(ws, runId).events.all();
    await ws.dispose();

    const all = await query(url, RunWithEventsQuery, { id: runId });
    expect(all.run?.status).toBe('COMPLETED');
    expect(all.run?.events).toEqual(live.map(({ seq, type, stepId }) => ({ seq, type, stepId })));
    const page = await query(url, RunWithEventsQuery, { id: runId, afterSeq: 2, first: 2 });
    expect(page.run?.events).toEqual([
      { seq: 3, type: 'STEP_COMPLETED', stepId: 'load' },
      { seq: 4, type: 'STEP_STARTED', stepId: 'score' },
    ]);
    const none = await http(url, RunWithEventsQuery, { id: 'Run:unknown' });
    expect(none.body).toEqual({ data: { run: null } });
  });

  it('a step whose agent is no longer registered keeps its name; its agent is null', async () => {
    const { h, url, worker } = await gateway();
    worker.on(null, () => ({ ok: true }));
    const done = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'pipeline', wait: true } });
    if (done.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
    h.registry.unregister('loader');
    const response = await http(
      url,
      `{ run(id: "${done.executeWorkflow.run.runId}") { steps { agentName agent { name } } } }`,
    );
    expect(response.body).toEqual({
      data: {
        run: {
          steps: [
            { agentName: 'loader', agent: null },
            { agentName: 'worker', agent: { name: 'worker' } },
          ],
        },
      },
    });
  });
});
