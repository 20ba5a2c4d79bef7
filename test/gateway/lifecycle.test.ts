/**
 * Health, readiness and graceful shutdown.
 *
 * `/healthz` says the process is up; `/readyz` says whether the engine accepts work (503 once it is
 * stopping). `gateway.close({ graceMs })` with a run in flight and live subscribers: the run may finish
 * within the grace period (or is ended INTERRUPTED when it passes), every subscriber receives the
 * terminal event and the end of its stream, and only then are WebSockets closed with 1001 (going away).
 */

import { describe, expect, it } from 'vitest';
import { ExecuteWorkflowMutation, RunUpdatesSubscription } from '../../src/client/operations.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { followSse, followWs, startRun, summary } from './support/runs.ts';
import { connectWs, query, subscribeWs } from './support/transports.ts';

const workflow = {
  id: 'long',
  name: 'Long',
  pattern: 'SEQUENTIAL',
  steps: [
    { id: 'first', agent: 'worker', action: 'run' },
    { id: 'second', agent: 'worker', action: 'run' },
  ],
};

async function heldRun() {
  const worker = new ScriptedAgent('worker', { behaviour: held });
  const h = await startHarness({ agents: [worker], workflows: [workflow] });
  const runId = await startRun(h.gateway.url, 'long');
  await worker.call(1);
  return { h, worker, runId };
}

const origin = (url: string) => new URL(url).origin;

describe('health and readiness', () => {
  it('/healthz is 200; /readyz is 200 while ready and 503 once the engine is stopping', async () => {
    const { h, worker } = await heldRun();
    const base = origin(h.gateway.url);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    // The engine starts stopping (a run is in flight, so it waits): not ready, still healthy.
    const stopped = h.engine.stop({ graceMs: 60_000 });
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', reason: 'shutting down' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // And it starts nothing new.
    const refused = await query(h.gateway.url, ExecuteWorkflowMutation, { input: { workflowId: 'long' } });
    expect(refused.executeWorkflow).toMatchObject({
      __typename: 'InvalidStateError',
      message: 'the engine is shutting down and starts no new runs',
    });

    worker.calls[0]?.release({});
    (await worker.call(2)).release({});
    await stopped;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it('/readyz is 503 while the store refuses writes; the run loses no event and it is 200 again after', async () => {
    const faults = { failWrites: false };
    const worker = new ScriptedAgent('worker');
    const h = await startHarness({ agents: [worker], workflows: [workflow], faults });
    const base = origin(h.gateway.url);
    faults.failWrites = true;
    const runId = await startRun(h.gateway.url, 'long');
    await h.logged('error', /run store write failed \(attempt 1\)/);
    const outage = await fetch(`${base}/readyz`);
    expect(outage.status).toBe(503);
    expect(await outage.json()).toEqual({ status: 'not ready', reason: 'the run store refuses writes' });

    const ws = connectWs(h.gateway.wsUrl);
    const events = followWs(ws, runId);
    await h.bus.listeners(`run:${runId}`, 1);
    faults.failWrites = false;
    // The engine retries the held-back batch: the subscriber receives the whole log, in order.
    expect(summary(await events.events.all())).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:first',
      'STEP_COMPLETED:first',
      'STEP_STARTED:second',
      'STEP_COMPLETED:second',
      'RUN_COMPLETED',
    ]);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await ws.dispose();
  });

  it('answers 404 elsewhere', async () => {
    const h = await startHarness();
    const response = await fetch(`${origin(h.gateway.url)}/nope`);
    expect(response.status).toBe(404);
  });
});

describe('graceful shutdown', () => {
  it('lets the run finish within the grace period; subscribers get the terminal event, then 1001', async () => {
    const { h, worker, runId } = await heldRun();
    const ws = connectWs(h.gateway.wsUrl);
    const events = followWs(ws, runId);
    const updates = subscribeWs(ws, RunUpdatesSubscription, {});
    const sse = await followSse(h.gateway.url, runId);
    await events.events.until('STEP_STARTED', 'first');
    await sse.events.until('STEP_STARTED', 'first');
    await h.bus.listeners('run.updates', 1);

    const closing = h.gateway.close({ graceMs: 60_000 });
    // Closing waits for the run; it is still in progress.
    (await worker.call(1)).release({ step: 1 });
    (await worker.call(2)).release({ step: 2 });
    await closing;

    // The stream completed (graphql-ws `complete`) before the socket closed.
    expect(events.events.raw.ended).toEqual({ kind: 'complete' });
    expect(summary(await events.events.all())).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:first',
      'STEP_COMPLETED:first',
      'STEP_STARTED:second',
      'STEP_COMPLETED:second',
      'RUN_COMPLETED',
    ]);
    expect(summary(await sse.events.all()).at(-1)).toBe('RUN_COMPLETED');
    expect(await ws.closed).toEqual({ code: 1001, reason: 'Going away' });
    // A subscription that never ends by itself ends with the socket.
    expect(updates.feed.ended?.kind).toBe('error');

    const [stored] = await h.store.getRuns([runId]);
    expect(stored?.status).toBe('COMPLETED');
    await expect(fetch(`${origin(h.gateway.url)}/healthz`)).rejects.toThrow();
  });

  it('ends the run INTERRUPTED when the grace period passes; subscribers still get the terminal event', async () => {
    const { h, runId } = await heldRun();
    const ws = connectWs(h.gateway.wsUrl);
    const events = followWs(ws, runId);
    await events.events.until('STEP_STARTED', 'first');

    // The agent never answers on its own: the short grace period passes and the run is interrupted.
    await h.gateway.close({ graceMs: 20 });

    expect(events.events.raw.ended).toEqual({ kind: 'complete' });
    const all = await events.events.all();
    expect(summary(all)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED:first',
      'STEP_FAILED:first',
      'RUN_INTERRUPTED',
    ]);
    expect(all.at(-1)?.data).toMatchObject({
      status: 'INTERRUPTED',
      error: { kind: 'CANCELLED', message: 'the gateway shut down before the run finished' },
    });
    expect(await ws.closed).toEqual({ code: 1001, reason: 'Going away' });
    const [stored] = await h.store.getRuns([runId]);
    expect(stored?.status).toBe('INTERRUPTED');
  });

  it('close() is idempotent and resolves with no run in flight', async () => {
    const h = await startHarness();
    const ws = connectWs(h.gateway.wsUrl);
    await ws.connected;
    const first = h.gateway.close();
    expect(h.gateway.close()).toBe(first);
    await first;
    expect((await ws.closed).code).toBe(1001);
  });
});
