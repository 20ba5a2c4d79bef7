/**
 * The shipped workflows as a new user meets them: a gateway started the way `npm start` starts it
 * (built-in agents, shipped definitions, a SQLite file), each workflow executed through the
 * executeWorkflow mutation on the built-in IFMS dataset and followed over WebSocket; and the saga's
 * compensation path, taken for real when publishing fails (an embargo in the future).
 */

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Orquestra, startOrquestra } from '../../src/bootstrap.ts';
import { ExecuteWorkflowMutation, RunQuery } from '../../src/client/operations.ts';
import { loadConfig } from '../../src/config.ts';
import { followWs, startRun } from '../gateway/support/runs.ts';
import { connectWs, query } from '../gateway/support/transports.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';

let orquestra: Orquestra;

beforeAll(async () => {
  const dir = temporaryDirectory('orquestra-shipped-');
  const quiet = { info() {}, warn() {}, error: console.error };
  orquestra = await startOrquestra(
    { ...loadConfig({}), port: 0, databaseUrl: `sqlite:${join(dir, 'runs.db')}`, dataDir: dir },
    { logger: quiet },
  );
});

afterAll(async () => {
  await orquestra.close({ graceMs: 0 });
});

async function execute(workflowId: string, input: Record<string, unknown>) {
  const result = await query(orquestra.gateway.url, ExecuteWorkflowMutation, {
    input: { workflowId, input, wait: true },
  });
  if (result.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') {
    throw new Error(`${workflowId} did not start: ${JSON.stringify(result.executeWorkflow)}`);
  }
  const run = await query(orquestra.gateway.url, RunQuery, { id: result.executeWorkflow.run.runId });
  return run.run as NonNullable<typeof run.run>;
}

describe('the shipped workflows over the built-in IFMS dataset', () => {
  it.each([
    ['default_investigation', 'SEQUENTIAL'],
    ['parallel_screening', 'PARALLEL'],
    ['triage', 'FAN_OUT_FAN_IN'],
    ['risk_routing', 'CONDITIONAL'],
    ['case_publication', 'SAGA'],
    ['agency_map_reduce', 'MAP_REDUCE'],
    ['contract_watch', 'EVENT_DRIVEN'],
  ])(
    '%s (%s) completes through executeWorkflow with findings and a risk level',
    async (workflowId, pattern) => {
      const run = await execute(workflowId, { dataset: 'ifms' });
      expect(run.status).toBe('COMPLETED');
      expect(run.pattern).toBe(pattern);
      const output = run.output as {
        findings: unknown[];
        anomaliesFound: number;
        riskScore: number;
        riskLevel: string;
      };
      expect(output.findings.length).toBeGreaterThan(0);
      expect(output.anomaliesFound).toBeGreaterThan(0);
      expect(output.riskScore).toBeGreaterThanOrEqual(0);
      expect(output.riskScore).toBeLessThanOrEqual(10);
      expect(['LOW', 'MEDIUM', 'HIGH']).toContain(output.riskLevel);
      expect(run.steps.every((s) => s.status === 'COMPLETED' || s.status === 'SKIPPED')).toBe(true);
    },
  );

  it('streams an investigation step by step over WebSocket, to its terminal event', async () => {
    const runId = await startRun(orquestra.gateway.url, 'default_investigation', { dataset: 'ifms' });
    const connection = connectWs(orquestra.gateway.wsUrl);
    const events = await followWs(connection, runId).events.all();
    await connection.dispose();
    expect(events.map((e) => [e.seq, e.type, e.stepId])).toEqual([
      [1, 'RUN_STARTED', null],
      [2, 'STEP_STARTED', 'detect'],
      [3, 'STEP_COMPLETED', 'detect'],
      [4, 'STEP_STARTED', 'patterns'],
      [5, 'STEP_COMPLETED', 'patterns'],
      [6, 'STEP_STARTED', 'report'],
      [7, 'STEP_COMPLETED', 'report'],
      [8, 'RUN_COMPLETED', null],
    ]);
  });

  it('case_publication undoes the case when publishing fails: report detached, case withdrawn, run COMPENSATED', async () => {
    const runId = await startRun(orquestra.gateway.url, 'case_publication', {
      dataset: 'ifms',
      embargoUntil: '2999-01-01T00:00:00Z',
    });
    const connection = connectWs(orquestra.gateway.wsUrl);
    const events = await followWs(connection, runId).events.all();
    await connection.dispose();
    const timeline = events.map((e) => `${e.type}${e.stepId ? `:${e.stepId}` : ''}`);
    expect(
      timeline.filter(
        (t) => t.startsWith('STEP_FAILED') || t.startsWith('COMPENSATION') || t.startsWith('RUN_'),
      ),
    ).toEqual([
      'RUN_STARTED',
      'STEP_FAILED:publish',
      'COMPENSATION_STARTED:attach',
      'COMPENSATION_COMPLETED:attach',
      'COMPENSATION_STARTED:open',
      'COMPENSATION_COMPLETED:open',
      'RUN_COMPENSATED',
    ]);
    const run = (await query(orquestra.gateway.url, RunQuery, { id: runId })).run;
    expect(run?.status).toBe('COMPENSATED');
    expect(run?.error?.message).toMatch(/publish/);
    const [detach, withdraw] = events
      .filter((e) => e.type === 'COMPENSATION_COMPLETED')
      .map((e) => (e.data as { output: Record<string, unknown> }).output);
    expect(detach).toMatchObject({ detached: true, alreadyAbsent: false });
    expect(withdraw).toMatchObject({ status: 'WITHDRAWN' });
  });
});
