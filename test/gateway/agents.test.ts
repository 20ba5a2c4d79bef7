/**
 * Agents through the API: listing by capability, the capability index, best-agent selection that skips
 * an agent whose breaker is isolated, and direct calls by capability.
 */

import { describe, expect, it } from 'vitest';
import { ExecuteAgentMutation, IsolateCircuitBreakerMutation } from '../../src/client/operations.ts';
import { ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { http, query } from './support/transports.ts';

async function gateway() {
  return startHarness({
    agents: [
      new ScriptedAgent('alpha', { capabilities: ['pricing', 'anomalies'], actions: ['detect'] }),
      new ScriptedAgent('beta', { capabilities: ['pricing'], actions: ['detect', 'explain'] }),
      new ScriptedAgent('gamma', { capabilities: ['reports'], actions: ['write'] }),
    ],
  });
}

const SELECT =
  'query ($c: [String!]!, $a: String) { selectBestAgent(capabilities: $c, action: $a) { agent { name } coverage matched missing } }';

describe('agents', () => {
  it('lists agents, by capability, and the capability index', async () => {
    const h = await gateway();
    const url = h.gateway.url;
    const all = await http(url, '{ agents { id name capabilities actions { name } } }');
    expect(all.body.data).toEqual({
      agents: [
        {
          id: 'Agent:alpha',
          name: 'alpha',
          capabilities: ['pricing', 'anomalies'],
          actions: [{ name: 'detect' }],
        },
        {
          id: 'Agent:beta',
          name: 'beta',
          capabilities: ['pricing'],
          actions: [{ name: 'detect' }, { name: 'explain' }],
        },
        { id: 'Agent:gamma', name: 'gamma', capabilities: ['reports'], actions: [{ name: 'write' }] },
      ],
    });
    const pricing = await http(url, '{ agents(capability: "pricing") { name } }');
    expect(pricing.body.data).toEqual({ agents: [{ name: 'alpha' }, { name: 'beta' }] });
    const index = await http(url, '{ capabilities { name agents { name } } }');
    expect(index.body.data).toEqual({
      capabilities: expect.arrayContaining([
        { name: 'pricing', agents: [{ name: 'alpha' }, { name: 'beta' }] },
        { name: 'anomalies', agents: [{ name: 'alpha' }] },
        { name: 'reports', agents: [{ name: 'gamma' }] },
      ]),
    });
    expect((await http(url, '{ agent(name: "nobody") { name } }')).body).toEqual({ data: { agent: null } });
  });

  it('selectBestAgent prefers full coverage and skips an isolated agent', async () => {
    const h = await gateway();
    const url = h.gateway.url;
    const both = await http(url, SELECT, { c: ['pricing', 'anomalies'] });
    expect(both.body.data).toEqual({
      selectBestAgent: {
        agent: { name: 'alpha' },
        coverage: 1,
        matched: ['pricing', 'anomalies'],
        missing: [],
      },
    });
    const explain = await http(url, SELECT, { c: ['pricing'], a: 'explain' });
    expect(explain.body).toMatchObject({ data: { selectBestAgent: { agent: { name: 'beta' } } } });

    await query(url, IsolateCircuitBreakerMutation, { agent: 'alpha' });
    expect((await http(url, SELECT, { c: ['pricing', 'anomalies'] })).body.data).toEqual({
      selectBestAgent: null,
    });
    const byCapability = await query(url, ExecuteAgentMutation, {
      input: { capabilities: ['pricing'], action: 'detect' },
    });
    expect(byCapability.executeAgent).toMatchObject({
      __typename: 'ExecuteAgentSuccess',
      agent: { name: 'beta' },
    });

    const invalid = await http(url, SELECT, { c: [] });
    expect(invalid.body.errors?.[0]).toMatchObject({
      path: ['selectBestAgent'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
