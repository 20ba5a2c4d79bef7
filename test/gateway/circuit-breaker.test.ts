/**
 * "Breaker transitions arrive on `circuitBreakerChanged` when an agent starts failing."
 *
 * An agent that worked starts failing: after `failureThreshold` failed runs its breaker opens, and the
 * transition (with the failure count and the last error) reaches a WebSocket subscriber (filtered to
 * that agent) and an SSE subscriber (all agents). Runs are then refused without calling the agent.
 * The operator's reset and isolate, sent as mutations, produce transitions too; a subscriber filtered
 * to another agent receives none of them.
 */

import { describe, expect, it } from 'vitest';
import type { CircuitBreakerChangedSubscription as Transition } from '../../src/client/generated/graphql.ts';
import {
  AgentQuery,
  CircuitBreakerChangedSubscription,
  ConfigureCircuitBreakerMutation,
  ExecuteAgentMutation,
  ExecuteWorkflowMutation,
  IsolateCircuitBreakerMutation,
  ResetCircuitBreakerMutation,
} from '../../src/client/operations.ts';
import { echo, failing, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { getRun } from './support/runs.ts';
import { connectWs, type Feed, query, type Result, subscribeSse, subscribeWs } from './support/transports.ts';

const transition = async (feed: Feed<Result<Transition>>) => {
  const result = await feed.next();
  expect(result.errors).toBeUndefined();
  return result.data?.circuitBreakerChanged;
};

describe('circuitBreakerChanged', () => {
  it('delivers CLOSED→OPEN when an agent starts failing, then the transitions of reset and isolate', async () => {
    const flaky = new ScriptedAgent('flaky');
    const h = await startHarness({
      agents: [flaky, new ScriptedAgent('steady')],
      workflows: [
        {
          id: 'call',
          name: 'Call flaky',
          pattern: 'SEQUENTIAL',
          steps: [{ id: 'a', agent: 'flaky', action: 'run' }],
        },
      ],
      engine: { circuitBreaker: { failureThreshold: 3, halfOpenAfterMs: 600_000, successThreshold: 1 } },
    });
    const url = h.gateway.url;
    const ws = connectWs(h.gateway.wsUrl);
    const viaWs = subscribeWs(ws, CircuitBreakerChangedSubscription, { agent: 'flaky' });
    const steadyOnly = subscribeWs(ws, CircuitBreakerChangedSubscription, { agent: 'steady' });
    const viaSse = await subscribeSse(url, CircuitBreakerChangedSubscription, {});
    expect(viaSse.status).toBe(200);
    // All three subscriptions have reached the engine.
    await h.bus.listeners('breaker.transitions', 3);

    const run = async () => {
      const data = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'call', wait: true } });
      if (data.executeWorkflow.__typename !== 'ExecuteWorkflowSuccess') throw new Error('not started');
      return getRun(url, data.executeWorkflow.run.runId);
    };
    expect((await run()).status).toBe('COMPLETED');

    flaky.on(null, failing('database unreachable'));
    for (let n = 1; n <= 2; n++) {
      const failed = await run();
      expect(failed.status).toBe('FAILED');
      expect(failed.error?.kind).toBe('AGENT_FAILURE');
      const agent = await query(url, AgentQuery, { name: 'flaky' });
      expect(agent.agent?.circuitBreaker).toMatchObject({ state: 'CLOSED', failureCount: n });
    }
    expect((await run()).status).toBe('FAILED');

    const opened = await transition(viaWs.feed);
    expect(opened).toMatchObject({ agent: 'flaky', from: 'CLOSED', to: 'OPEN', failureCount: 3 });
    expect(opened?.reason).toContain('database unreachable');

    // Open: the next run is refused without reaching the agent.
    const callsBefore = flaky.calls.length;
    const refused = await run();
    expect(refused.status).toBe('FAILED');
    expect(refused.error?.kind).toBe('CIRCUIT_OPEN');
    expect(flaky.calls.length).toBe(callsBefore);
    const direct = await query(url, ExecuteAgentMutation, { input: { agent: 'flaky', action: 'run' } });
    expect(direct.executeAgent).toMatchObject({ __typename: 'CircuitOpenError', openAgent: 'flaky' });

    flaky.on(null, echo);
    const reset = await query(url, ResetCircuitBreakerMutation, { agent: 'flaky' });
    expect(reset.resetCircuitBreaker).toMatchObject({
      __typename: 'CircuitBreakerSuccess',
      circuitBreaker: { agent: 'flaky', state: 'CLOSED', failureCount: 0 },
    });
    expect(await transition(viaWs.feed)).toMatchObject({
      from: 'OPEN',
      to: 'CLOSED',
      reason: 'reset by operator',
    });

    const isolated = await query(url, IsolateCircuitBreakerMutation, { agent: 'flaky' });
    expect(isolated.isolateCircuitBreaker).toMatchObject({ circuitBreaker: { state: 'ISOLATED' } });
    expect(await transition(viaWs.feed)).toMatchObject({
      from: 'CLOSED',
      to: 'ISOLATED',
      reason: 'isolated by operator',
    });
    expect((await run()).error?.kind).toBe('CIRCUIT_OPEN');

    await query(url, ResetCircuitBreakerMutation, { agent: 'flaky' });
    expect(await transition(viaWs.feed)).toMatchObject({ from: 'ISOLATED', to: 'CLOSED' });
    expect((await run()).status).toBe('COMPLETED');

    // SSE, subscribed to every agent, saw the same four transitions in the same order.
    const sseTransitions = await viaSse.feed.take(4);
    expect(sseTransitions.map((r) => r.data?.circuitBreakerChanged)).toEqual(
      viaWs.feed.items.map((r) => r.data?.circuitBreakerChanged),
    );
    expect(
      viaWs.feed.items.map(
        (r) => `${r.data?.circuitBreakerChanged.from}→${r.data?.circuitBreakerChanged.to}`,
      ),
    ).toEqual(['CLOSED→OPEN', 'OPEN→CLOSED', 'CLOSED→ISOLATED', 'ISOLATED→CLOSED']);

    // The subscriber of another agent received none of them: its first message is steady's own.
    await query(url, IsolateCircuitBreakerMutation, { agent: 'steady' });
    expect(await transition(steadyOnly.feed)).toMatchObject({
      agent: 'steady',
      from: 'CLOSED',
      to: 'ISOLATED',
    });
    expect(steadyOnly.feed.items).toHaveLength(1);

    viaSse.abort();
    await ws.dispose();
  });

  it('goes OPEN → HALF_OPEN → CLOSED when the agent recovers after halfOpenAfterMs', async () => {
    const flaky = new ScriptedAgent('flaky', { behaviour: failing('timeout talking to the registry') });
    const h = await startHarness({
      agents: [flaky],
      workflows: [
        {
          id: 'call',
          name: 'Call',
          pattern: 'SEQUENTIAL',
          steps: [{ id: 'a', agent: 'flaky', action: 'run' }],
        },
      ],
      // A 1 ms wait: by the time the OPEN transition has reached the client, a trial call is due.
      engine: { circuitBreaker: { failureThreshold: 1, halfOpenAfterMs: 1, successThreshold: 1 } },
    });
    const ws = connectWs(h.gateway.wsUrl);
    const { feed } = subscribeWs(ws, CircuitBreakerChangedSubscription, { agent: 'flaky' });
    await h.bus.listeners('breaker.transitions', 1);
    const run = () =>
      query(h.gateway.url, ExecuteWorkflowMutation, { input: { workflowId: 'call', wait: true } });

    await run();
    expect(await transition(feed)).toMatchObject({ from: 'CLOSED', to: 'OPEN', failureCount: 1 });
    flaky.on(null, echo);
    const recovered = await run();
    expect(recovered.executeWorkflow).toMatchObject({ run: { status: 'COMPLETED' } });
    expect(await transition(feed)).toMatchObject({
      from: 'OPEN',
      to: 'HALF_OPEN',
      reason: '1 ms elapsed; admitting up to 1 trial calls',
    });
    expect(await transition(feed)).toMatchObject({ from: 'HALF_OPEN', to: 'CLOSED', failureCount: 0 });
    await ws.dispose();
  });

  it('configureCircuitBreaker changes the settings and keeps the state', async () => {
    const h = await startHarness({ agents: [new ScriptedAgent('flaky', { behaviour: failing() })] });
    const url = h.gateway.url;
    const configured = await query(url, ConfigureCircuitBreakerMutation, {
      input: { agent: 'flaky', failureThreshold: 1, halfOpenAfterMs: 600_000 },
    });
    expect(configured.configureCircuitBreaker).toMatchObject({
      __typename: 'ConfigureCircuitBreakerSuccess',
      settings: { failureThreshold: 1, halfOpenAfterMs: 600_000, successThreshold: 3 },
      circuitBreaker: { agent: 'flaky', state: 'CLOSED' },
    });
    const ws = connectWs(h.gateway.wsUrl);
    const feed = subscribeWs(ws, CircuitBreakerChangedSubscription, {}).feed;
    await h.bus.listeners('breaker.transitions', 1);
    const failed = await query(url, ExecuteAgentMutation, { input: { agent: 'flaky', action: 'run' } });
    expect(failed.executeAgent).toMatchObject({
      __typename: 'AgentCallError',
      kind: 'AGENT_FAILURE',
      failedAgent: 'flaky',
    });
    expect(await transition(feed)).toMatchObject({ from: 'CLOSED', to: 'OPEN', failureCount: 1 });

    const reconfigured = await query(url, ConfigureCircuitBreakerMutation, {
      input: { agent: 'flaky', failureThreshold: 5 },
    });
    expect(reconfigured.configureCircuitBreaker).toMatchObject({
      settings: { failureThreshold: 5 },
      circuitBreaker: { state: 'OPEN' },
    });
    const invalid = await query(url, ConfigureCircuitBreakerMutation, {
      input: { agent: 'flaky', failureThreshold: 0 },
    });
    expect(invalid.configureCircuitBreaker).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: 'input.failureThreshold' }],
    });
    const unknown = await query(url, ConfigureCircuitBreakerMutation, {
      input: { agent: 'nobody', failureThreshold: 2 },
    });
    expect(unknown.configureCircuitBreaker.__typename).toBe('AgentNotFoundError');
    await ws.dispose();
  });

  it('subscribing to an unknown agent is a NOT_FOUND error for that operation', async () => {
    const h = await startHarness({ agents: [new ScriptedAgent('steady')] });
    const ws = connectWs(h.gateway.wsUrl);
    const [result] = await subscribeWs(ws, CircuitBreakerChangedSubscription, { agent: 'nobody' }).feed.all();
    expect(result?.errors).toEqual([
      expect.objectContaining({
        message: 'agent "nobody" does not exist',
        extensions: { code: 'NOT_FOUND' },
      }),
    ]);
    await ws.dispose();
  });
});
