/**
 * "The auth matrix on both transports."
 *
 * With API keys configured, HTTP refuses requests without a known key (401 with WWW-Authenticate) and
 * WebSocket refuses connections (4401 without a key, 4403 with a wrong one). Each role then gets
 * exactly its rights, checked mutation by mutation over HTTP and over graphql-ws: a viewer reads and
 * subscribes, an operator also runs things, an admin also changes definitions and policies. A refused
 * mutation answers with the `NotAuthorizedError` member of its result union, naming role and field.
 * Without keys the gateway refuses to listen beyond loopback.
 */

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import {
  CancelRunMutation,
  ConfigureCircuitBreakerMutation,
  ConfigureRetryPolicyMutation,
  ExecuteAgentMutation,
  ExecuteWorkflowMutation,
  IsolateCircuitBreakerMutation,
  PublishEventMutation,
  RegisterWorkflowMutation,
  ResetCircuitBreakerMutation,
  RunEventsSubscription,
  WorkflowsQuery,
} from '../../src/client/operations.ts';
import type { Role } from '../../src/schema/index.ts';
import { startGateway } from '../../src/server.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { type Harness, startHarness } from './support/harness.ts';
import { startRun } from './support/runs.ts';
import { connectWs, http, type Result, subscribeSse, subscribeWs, wsOnce } from './support/transports.ts';

const KEYS: Record<Role, string> = {
  viewer: 'viewer-key-0001',
  operator: 'operator-key-01',
  admin: 'admin-key-000001',
};
const ROLE_OF_KEY = Object.fromEntries(Object.entries(KEYS).map(([role, key]) => [key, role as Role]));
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

const workflows = [
  { id: 'quick', name: 'Quick', pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'echo', action: 'run' }] },
  { id: 'held', name: 'Held', pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'holder', action: 'run' }] },
];

async function securedGateway(): Promise<Harness> {
  return startHarness({
    agents: [
      new ScriptedAgent('echo'),
      new ScriptedAgent('holder', { behaviour: held }),
      new ScriptedAgent('spare'),
    ],
    workflows,
    apiKeys: ROLE_OF_KEY,
  });
}

interface MutationCase {
  field: string;
  /** The least role allowed. */
  role: Role;
  success: string;
  // biome-ignore lint/suspicious/noExplicitAny: a table of differently typed documents
  document: TypedDocumentNode<any, any>;
  variables: (h: Harness) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

let registered = 0;
const MUTATIONS: MutationCase[] = [
  {
    field: 'executeWorkflow',
    role: 'operator',
    success: 'ExecuteWorkflowSuccess',
    document: ExecuteWorkflowMutation,
    variables: () => ({ input: { workflowId: 'quick', input: {} } }),
  },
  {
    field: 'cancelRun',
    role: 'operator',
    success: 'CancelRunSuccess',
    document: CancelRunMutation,
    variables: async (h) => ({ id: await startRun(h.gateway.url, 'held', {}, KEYS.admin) }),
  },
  {
    field: 'publishEvent',
    role: 'operator',
    success: 'PublishEventSuccess',
    document: PublishEventMutation,
    variables: () => ({ input: { name: 'contracts.ingested', payload: { n: 1 } } }),
  },
  {
    field: 'executeAgent',
    role: 'operator',
    success: 'ExecuteAgentSuccess',
    document: ExecuteAgentMutation,
    variables: () => ({ input: { agent: 'echo', action: 'run', input: { x: 1 } } }),
  },
  {
    field: 'registerWorkflow',
    role: 'admin',
    success: 'RegisterWorkflowSuccess',
    document: RegisterWorkflowMutation,
    variables: () => ({
      definition: {
        id: `new-${++registered}`,
        name: 'New',
        pattern: 'SEQUENTIAL',
        steps: [{ id: 'a', agent: 'echo', action: 'run' }],
      },
    }),
  },
  {
    field: 'resetCircuitBreaker',
    role: 'admin',
    success: 'CircuitBreakerSuccess',
    document: ResetCircuitBreakerMutation,
    variables: () => ({ agent: 'spare' }),
  },
  {
    field: 'isolateCircuitBreaker',
    role: 'admin',
    success: 'CircuitBreakerSuccess',
    document: IsolateCircuitBreakerMutation,
    variables: () => ({ agent: 'spare' }),
  },
  {
    field: 'configureCircuitBreaker',
    role: 'admin',
    success: 'ConfigureCircuitBreakerSuccess',
    document: ConfigureCircuitBreakerMutation,
    variables: () => ({ input: { agent: 'spare', failureThreshold: 3 } }),
  },
  {
    field: 'configureRetryPolicy',
    role: 'admin',
    success: 'ConfigureRetryPolicySuccess',
    document: ConfigureRetryPolicyMutation,
    variables: () => ({ input: { maxAttempts: 2 } }),
  },
];

/** The one field of a mutation result: `{ executeWorkflow: {...} }` → `{...}`. */
function payloadOf(result: Result<Record<string, unknown>>, field: string): Record<string, unknown> {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data?.[field] as Record<string, unknown>;
}

describe('HTTP authentication', () => {
  it('refuses a request without a key with 401 and WWW-Authenticate', async () => {
    const h = await securedGateway();
    const response = await http(h.gateway.url, WorkflowsQuery);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orquestra"');
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.body.data).toBeUndefined();
  });

  it('refuses an unknown key with 401', async () => {
    const h = await securedGateway();
    const response = await http(h.gateway.url, WorkflowsQuery, {}, { key: 'not-a-known-key' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orquestra"');
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'unknown API key',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses an SSE subscription without a key, and a GET query without a key', async () => {
    const h = await securedGateway();
    const sse = await subscribeSse(h.gateway.url, RunEventsSubscription, { runId: 'x' });
    expect(sse.status).toBe(401);
    const get = await fetch(`${h.gateway.url}?query=${encodeURIComponent('{ workflows { workflowId } }')}`);
    expect(get.status).toBe(401);
  });

  it('serves the GraphiQL page and CORS preflights without a key, and executes nothing for them', async () => {
    const h = await securedGateway();
    const page = await fetch(h.gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('orquestra');
    const preflight = await fetch(h.gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://dashboard.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('lets a viewer read and subscribe', async () => {
    const h = await securedGateway();
    const read = await http(h.gateway.url, WorkflowsQuery, {}, { key: KEYS.viewer });
    expect(read.status).toBe(200);
    expect(read.body.data?.workflows.map((w) => w.workflowId)).toEqual(['held', 'quick']);

    const runId = await startRun(h.gateway.url, 'quick', {}, KEYS.operator);
    const sse = await subscribeSse(h.gateway.url, RunEventsSubscription, { runId }, { key: KEYS.viewer });
    expect(sse.status).toBe(200);
    const events = (await sse.feed.all()).map((r) => r.data?.runEvents.type);
    expect(events).toEqual(['RUN_STARTED', 'STEP_STARTED', 'STEP_COMPLETED', 'RUN_COMPLETED']);
  });
});

describe('WebSocket authentication', () => {
  it('closes a connection without connectionParams.authorization with 4401', async () => {
    const h = await securedGateway();
    const ws = connectWs(h.gateway.wsUrl);
    expect(await ws.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('closes a connection with a wrong key with 4403', async () => {
    const h = await securedGateway();
    const ws = connectWs(h.gateway.wsUrl, { authorization: 'Bearer wrong-key-123' });
    expect(await ws.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  it('accepts a known key, with or without the Bearer prefix', async () => {
    const h = await securedGateway();
    for (const authorization of [`Bearer ${KEYS.viewer}`, KEYS.viewer]) {
      const ws = connectWs(h.gateway.wsUrl, { authorization });
      await ws.connected;
      const result = await wsOnce(ws, WorkflowsQuery);
      expect(result.data?.workflows).toHaveLength(2);
      await ws.dispose();
    }
  });

  it('lets a viewer subscribe', async () => {
    const h = await securedGateway();
    const runId = await startRun(h.gateway.url, 'quick', {}, KEYS.operator);
    const ws = connectWs(h.gateway.wsUrl, { authorization: `Bearer ${KEYS.viewer}` });
    const { feed } = subscribeWs(ws, RunEventsSubscription, { runId });
    expect((await feed.all()).map((r) => r.data?.runEvents.type)).toEqual([
      'RUN_STARTED',
      'STEP_STARTED',
      'STEP_COMPLETED',
      'RUN_COMPLETED',
    ]);
    await ws.dispose();
  });
});

describe.each(['HTTP', 'WebSocket'] as const)('the role matrix over %s', (transport) => {
  it.each(['viewer', 'operator', 'admin'] as const)('%s gets exactly its rights', async (role) => {
    const h = await securedGateway();
    const ws =
      transport === 'WebSocket'
        ? connectWs(h.gateway.wsUrl, { authorization: `Bearer ${KEYS[role]}` })
        : null;
    const send = async (c: MutationCase): Promise<Result<Record<string, unknown>>> => {
      const variables = await c.variables(h);
      if (ws) return wsOnce(ws, c.document, variables);
      const response = await http(h.gateway.url, c.document, variables, { key: KEYS[role] });
      expect(response.status).toBe(200);
      return response.body;
    };

    const outcome: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const c of MUTATIONS) {
      const payload = payloadOf(await send(c), c.field);
      outcome[c.field] = payload.__typename as string;
      const allowed = RANK[role] >= RANK[c.role];
      expected[c.field] = allowed ? c.success : 'NotAuthorizedError';
      if (!allowed) {
        expect(payload).toMatchObject({
          role,
          field: c.field,
          message: `the ${role} role may not use "${c.field}"`,
        });
      }
    }
    expect(outcome).toEqual(expected);

    // Reading is everyone's right, over the same transport.
    const read = ws
      ? await wsOnce(ws, WorkflowsQuery)
      : (await http(h.gateway.url, WorkflowsQuery, {}, { key: KEYS[role] })).body;
    expect(read.errors).toBeUndefined();
    expect(read.data?.workflows.length).toBeGreaterThanOrEqual(2);
    await ws?.dispose();
  });
});

describe('an open gateway', () => {
  it('refuses to listen beyond loopback without API keys', async () => {
    const h = await startHarness();
    await expect(startGateway({ engine: h.engine, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without API keys.*ORQUESTRA_API_KEYS/s,
    );
    await expect(
      startGateway({ engine: h.engine, host: '0.0.0.0', port: 0, apiKeys: new Map() }),
    ).rejects.toThrow(/refusing to listen/);
  });

  it('lets everyone do everything on loopback', async () => {
    const h = await startHarness({ agents: [new ScriptedAgent('echo')] });
    const result = await http(h.gateway.url, ConfigureRetryPolicyMutation, { input: { maxAttempts: 2 } });
    expect(result.body.data?.configureRetryPolicy.__typename).toBe('ConfigureRetryPolicySuccess');
  });
});
