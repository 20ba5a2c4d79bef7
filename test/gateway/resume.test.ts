/**
 * "A client that disconnects mid-run and resubscribes with `afterSeq` receives exactly the rest."
 *
 * The agent holds every step until the test releases it, so the run is truly in progress when the
 * client goes away, and events happen while nobody listens. The second subscription must start right
 * after the last seq the client saw, with no duplicate and no gap, over WebSocket and over SSE.
 */

import { describe, expect, it } from 'vitest';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import {
  expectCompleteLog,
  followSse,
  followWs,
  getRun,
  type RunEventMessage,
  startRun,
  summary,
} from './support/runs.ts';
import { connectWs } from './support/transports.ts';

const STEPS = ['s1', 's2', 's3', 's4'];
const workflow = {
  id: 'four',
  name: 'Four held steps',
  pattern: 'SEQUENTIAL',
  steps: STEPS.map((id) => ({ id, agent: 'slow', action: 'run' })),
};

const FULL = [
  'RUN_STARTED',
  ...STEPS.flatMap((id) => [`STEP_STARTED:${id}`, `STEP_COMPLETED:${id}`]),
  'RUN_COMPLETED',
];

async function setup() {
  const agent = new ScriptedAgent('slow', { behaviour: held });
  const h = await startHarness({ agents: [agent], workflows: [workflow] });
  const runId = await startRun(h.gateway.url, 'four');
  return { h, agent, runId };
}

describe('resuming a subscription with afterSeq', () => {
  it('over WebSocket: a new connection receives exactly the events after the last one seen', async () => {
    const { h, agent, runId } = await setup();
    const first = connectWs(h.gateway.wsUrl);
    const before = followWs(first, runId);
    (await agent.call(1)).release({ step: 1 });
    const seen: RunEventMessage[] = [];
    for (;;) {
      const event = await before.events.next();
      seen.push(event);
      if (event.type === 'STEP_STARTED' && event.stepId === 's2') break;
    }
    // Mid-run: s2 is in progress. The client drops the whole connection.
    await first.dispose();
    expect((await first.closed).code).toBe(1000);

    // While nobody listens, s2 completes and s3 starts.
    (await agent.call(2)).release({ step: 2 });
    await agent.call(3);
    expect((await getRun(h.gateway.url, runId)).status).toBe('RUNNING');

    const second = connectWs(h.gateway.wsUrl);
    const after = followWs(second, runId, seen.at(-1)?.seq);
    const resumed = await after.events.next();
    expect(resumed.seq).toBe((seen.at(-1)?.seq ?? 0) + 1);
    agent.calls[2]?.release({ step: 3 });
    (await agent.call(4)).release({ step: 4 });
    const rest = [resumed, ...(await after.events.all()).slice(1)];

    expect(summary(seen)).toEqual(FULL.slice(0, 4));
    expect(summary(rest)).toEqual(FULL.slice(4));
    expectCompleteLog([...seen, ...rest], runId);
    await second.dispose();
  });

  it('over SSE: a new request receives exactly the events after the last one seen', async () => {
    const { h, agent, runId } = await setup();
    const url = h.gateway.url;
    const before = await followSse(url, runId);
    (await agent.call(1)).release({ step: 1 });
    const seen: RunEventMessage[] = [];
    for (;;) {
      const event = await before.events.next();
      seen.push(event);
      if (event.type === 'STEP_STARTED' && event.stepId === 's2') break;
    }
    before.abort();

    (await agent.call(2)).release({ step: 2 });
    await agent.call(3);

    const after = await followSse(url, runId, seen.at(-1)?.seq);
    const resumed = await after.events.next();
    agent.calls[2]?.release({ step: 3 });
    (await agent.call(4)).release({ step: 4 });
    const rest = [resumed, ...(await after.events.all()).slice(1)];

    expect(summary(seen)).toEqual(FULL.slice(0, 4));
    expect(summary(rest)).toEqual(FULL.slice(4));
    expectCompleteLog([...seen, ...rest], runId);
  });

  it('resuming after the run ended replays only the missing tail and completes', async () => {
    const { h, agent, runId } = await setup();
    for (let n = 1; n <= 4; n++) (await agent.call(n)).release({ step: n });
    const ws = connectWs(h.gateway.wsUrl);
    const all = await followWs(ws, runId).events.all();
    expect(summary(all)).toEqual(FULL);
    const tail = await followWs(ws, runId, 7).events.all();
    expect(tail.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(summary(tail)).toEqual(FULL.slice(7));
    const sse = await followSse(h.gateway.url, runId, 9);
    expect(summary(await sse.events.all())).toEqual(['RUN_COMPLETED']);
    // A client that had everything: nothing more will come, so the stream completes empty.
    expect(await followWs(ws, runId, 10).events.all()).toEqual([]);
    await ws.dispose();
  });
});
