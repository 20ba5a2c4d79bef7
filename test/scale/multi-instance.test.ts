/**
 * Two gateway instances sharing one PostgreSQL and one Redis, as a deployment of several machines
 * would: a client connected to instance B follows, in order and to the end, a run executed on
 * instance A; B's dashboards see A's runs start and end; cancelling on B ends A's run; a workflow
 * version registered on A is the one B runs next. Needs ORQUESTRA_TEST_POSTGRES_URL and
 * ORQUESTRA_TEST_REDIS_URL (set by .ci/run when the servers of this machine answer).
 */

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../src/agents/registry.ts';
import { RedisEventBus } from '../../src/bus/redis-event-bus.ts';
import {
  CancelRunMutation,
  ExecuteWorkflowMutation,
  RegisterWorkflowMutation,
} from '../../src/client/operations.ts';
import { Orchestrator, type WorkflowChange } from '../../src/engine/index.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { held, ScriptedAgent } from '../gateway/support/agents.ts';
import { followWs, startRun } from '../gateway/support/runs.ts';
import { connectWs, query } from '../gateway/support/transports.ts';

const POSTGRES = process.env.ORQUESTRA_TEST_POSTGRES_URL;
const REDIS = process.env.ORQUESTRA_TEST_REDIS_URL;

const WORKFLOW = {
  id: 'relay',
  name: 'Relay',
  pattern: 'SEQUENTIAL',
  steps: [
    { id: 'first', agent: 'worker', action: 'run' },
    { id: 'second', agent: 'worker', action: 'run' },
  ],
};

interface Instance {
  gateway: Gateway;
  engine: Orchestrator;
  worker: ScriptedAgent;
  bus: RedisEventBus;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deployment(): Promise<{ a: Instance; b: Instance }> {
  const schema = `multi_${process.pid}_${Date.now()}`;
  const database = `${POSTGRES}${POSTGRES?.includes('?') ? '&' : '?'}schema=${schema}`;
  const prefix = `orquestra-test:${schema}:`;
  const quiet = { info() {}, warn() {}, error() {} };
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  const start = async (instanceId: string): Promise<Instance> => {
    const store = await openRunStore(database, { instanceId });
    const bus = await RedisEventBus.connect({ url: REDIS as string, prefix });
    const worker = new ScriptedAgent('worker', { behaviour: held });
    const agents = new AgentRegistry();
    agents.register(worker);
    const engine = await Orchestrator.start({ store, agents, bus, workflows: [WORKFLOW], logger: quiet });
    const gateway = await startGateway({ engine, port: 0, logger: quiet });
    const instance = {
      gateway,
      engine,
      worker,
      bus,
      close: async () => {
        await gateway.close({ graceMs: 0 });
        await store.close();
        await bus.close();
      },
    };
    cleanups.push(instance.close);
    return instance;
  };
  return { a: await start('a'), b: await start('b') };
}

describe.skipIf(!POSTGRES || !REDIS)('two instances on one PostgreSQL and one Redis', () => {
  it('a subscriber on B follows a run executed on A, in order and to its end', async () => {
    const { a, b } = await deployment();
    const runId = await startRun(a.gateway.url, 'relay');
    const follower = connectWs(b.gateway.wsUrl);
    const { events } = followWs(follower, runId);
    expect((await events.until('STEP_STARTED', 'first')).seq).toBe(2);
    (await a.worker.call(1)).release({ step: 1 });
    (await a.worker.call(2)).release({ step: 2 });
    const log = await events.all();
    expect(log.map((e) => [e.seq, e.type, e.stepId])).toEqual([
      [1, 'RUN_STARTED', null],
      [2, 'STEP_STARTED', 'first'],
      [3, 'STEP_COMPLETED', 'first'],
      [4, 'STEP_STARTED', 'second'],
      [5, 'STEP_COMPLETED', 'second'],
      [6, 'RUN_COMPLETED', null],
    ]);
    expect(b.worker.calls).toHaveLength(0);
    await follower.dispose();
  });

  it("B's dashboards see A's runs start and end", async () => {
    const { a, b } = await deployment();
    const updates = b.engine.runUpdates({ workflowId: 'relay' });
    await b.bus.settled();
    const runId = await startRun(a.gateway.url, 'relay');
    (await a.worker.call(1)).release();
    (await a.worker.call(2)).release();
    const seen = [(await updates.next()).value, (await updates.next()).value];
    await updates.return();
    expect(seen.map((u) => [u?.runId, u?.status])).toEqual([
      [runId, 'RUNNING'],
      [runId, 'COMPLETED'],
    ]);
  });

  it('cancelling on B ends the run that A executes', async () => {
    const { a, b } = await deployment();
    const runId = await startRun(a.gateway.url, 'relay');
    const call = await a.worker.call(1);
    const result = await query(b.gateway.url, CancelRunMutation, { id: runId });
    expect(result.cancelRun.__typename).toBe('CancelRunSuccess');
    if (result.cancelRun.__typename === 'CancelRunSuccess')
      expect(result.cancelRun.run.status).toBe('CANCELLED');
    expect(call.signal.aborted).toBe(true);
  });

  it('a version registered on A is the one B runs next', async () => {
    const { a, b } = await deployment();
    const changed = new Promise<WorkflowChange>((resolve) => {
      const subscription = b.bus.subscribe('workflows.changed', (change) => {
        subscription.dispose();
        resolve(change);
      });
    });
    const v2 = { ...WORKFLOW, steps: [WORKFLOW.steps[0]] };
    const registered = await query(a.gateway.url, RegisterWorkflowMutation, { definition: v2 });
    expect(registered.registerWorkflow.__typename).toBe('RegisterWorkflowSuccess');
    expect(await changed).toMatchObject({ id: 'relay', version: 2, from: 'a' });
    const started = await query(b.gateway.url, ExecuteWorkflowMutation, {
      input: { workflowId: 'relay', input: {} },
    });
    expect(started.executeWorkflow.__typename).toBe('ExecuteWorkflowSuccess');
    if (started.executeWorkflow.__typename === 'ExecuteWorkflowSuccess') {
      expect(started.executeWorkflow.run.workflowVersion).toBe(2);
    }
    (await b.worker.call(1)).release();
  });
});
