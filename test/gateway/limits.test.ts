/**
 * Limits: depth, alias, cost and token limits refuse abusive documents (as validation errors of that
 * operation, on both transports) but let a legitimate nested query through; oversized bodies get 413 and
 * bodies without a length 411; in production unexpected errors are masked while typed ones keep their
 * message and code.
 */

import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ExecuteWorkflowMutation, RunEventsSubscription, RunsQuery } from '../../src/client/operations.ts';
import { ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { connectWs, http, query, subscribeSse, subscribeWs, wsOnce } from './support/transports.ts';

/** The legitimate dashboard query of issue 3, verbatim. */
const LEGITIMATE = `{ runs(first: 50) { totalCount edges { node { workflow { workflowId versions { version } } steps { agent { circuitBreaker { state settings { failureThreshold } } performance { latency { p95Ms } } } } } } } }`;

const nested = (depth: number): string => {
  let selection = 'version';
  for (let i = 0; i < depth - 2; i++) selection = `versions { ${selection} }`;
  return `{ workflows { ${selection} } }`;
};

const ABUSIVE = {
  depth: nested(13),
  aliases: `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: retryPolicy { maxAttempts }`).join(' ')} }`,
  cost: '{ runs(first: 500) { edges { node { steps { agent { circuitBreaker { state settings { failureThreshold halfOpenAfterMs successThreshold } } } } } } } }',
  tokens: `{ selectBestAgent(capabilities: [${Array.from({ length: 3100 }, () => '"x"').join(', ')}]) { score } }`,
};

const workflow = {
  id: 'two',
  name: 'Two',
  pattern: 'SEQUENTIAL',
  steps: [
    { id: 'a', agent: 'echo', action: 'run' },
    { id: 'b', agent: 'echo', action: 'run' },
  ],
};

describe('query limits', () => {
  it('let the legitimate nested query through, with 50 runs', async () => {
    const h = await startHarness({ agents: [new ScriptedAgent('echo')], workflows: [workflow] });
    for (let i = 0; i < 50; i++) await h.engine.executeWorkflow('two', {}, { wait: true });
    expect(nested(12)).toMatch(/versions/);
    const ok = await http(h.gateway.url, LEGITIMATE);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const data = ok.body.data as { runs: { totalCount: number; edges: { node: { steps: unknown[] } }[] } };
    expect(data.runs.totalCount).toBe(50);
    expect(data.runs.edges).toHaveLength(50);
    expect(data.runs.edges.every((e) => e.node.steps.length === 2)).toBe(true);
    // The deepest document the depth limit allows also passes.
    expect((await http(h.gateway.url, nested(12))).status).toBe(200);
  });

  it.each([
    ['depth', /^Syntax Error: Query depth limit of 12 exceeded, found 13\.$/],
    ['aliases', /^Syntax Error: Aliases limit of 20 exceeded, found 21\.$/],
    ['cost', /^Syntax Error: Query Cost limit of 20000 exceeded, found [\d.]+\.$/],
  ] as const)(
    'refuse a document over the %s limit: 400 over HTTP, an error over WebSocket',
    async (limit, message) => {
      const h = await startHarness({ agents: [new ScriptedAgent('echo')], workflows: [workflow] });
      const runId = (await h.engine.executeWorkflow('two', {})).id;
      const response = await http(h.gateway.url, ABUSIVE[limit]);
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]?.message).toMatch(message);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

      // Over WebSocket: an error for that operation; the socket and its other operations carry on.
      const ws = connectWs(h.gateway.wsUrl);
      const refused = await subscribeWs(ws, ABUSIVE[limit]).feed.done;
      expect(refused.kind).toBe('error');
      const errors = (refused as { error: { message: string; extensions: { code: string } }[] }).error;
      expect(errors[0]?.message).toMatch(message);
      expect(errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const events = await subscribeWs(ws, RunEventsSubscription, { runId }).feed.all();
      expect(events.at(-1)?.data?.runEvents.type).toBe('RUN_COMPLETED');
      await ws.dispose();
      expect((await ws.closed).code).toBe(1000);
    },
  );

  it('refuse a document over the token limit as a parse error, on both transports', async () => {
    const h = await startHarness();
    const response = await http(h.gateway.url, ABUSIVE.tokens);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'Syntax Error: Token limit of 3000 exceeded.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    const ws = connectWs(h.gateway.wsUrl);
    const refused = await subscribeWs(ws, ABUSIVE.tokens).feed.done;
    expect(refused).toMatchObject({
      kind: 'error',
      error: [
        {
          message: 'Syntax Error: Token limit of 3000 exceeded.',
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        },
      ],
    });
    expect((await wsOnce(ws, '{ retryPolicy { maxAttempts } }')).data).toEqual({
      retryPolicy: { maxAttempts: 1 },
    });
    await ws.dispose();
  });

  it('are configurable', async () => {
    const h = await startHarness({ limits: { maxDepth: 4, maxAliases: 1 } });
    expect((await http(h.gateway.url, nested(4))).status).toBe(200);
    expect((await http(h.gateway.url, nested(5))).body.errors?.[0]?.message).toBe(
      'Syntax Error: Query depth limit of 4 exceeded, found 5.',
    );
    expect(
      (await http(h.gateway.url, '{ a: retryPolicy { maxAttempts } b: retryPolicy { jitter } }')).status,
    ).toBe(400);
  });
});

describe('request bodies', () => {
  it('a body over the limit gets 413', async () => {
    const h = await startHarness({ bodyLimitBytes: 2048 });
    const padding = 'x'.repeat(3000);
    const response = await fetch(h.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ retryPolicy { maxAttempts } } # ${padding}` }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^request body of \d+ bytes exceeds the limit of 2048$/),
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
    // Just under the limit is fine.
    const small = await http(h.gateway.url, '{ retryPolicy { maxAttempts } }');
    expect(small.status).toBe(200);
  });

  it('a POST without Content-Length (chunked) gets 411', async () => {
    const h = await startHarness();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        h.gateway.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write('{"query":"{ retryPolicy { maxAttempts } }"}');
      req.end();
    });
    expect(status).toBe(411);
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: 'a Content-Length header is required', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});

describe('production mode', () => {
  it('masks unexpected errors and keeps typed ones, on every transport', async () => {
    const h = await startHarness({
      production: true,
      agents: [new ScriptedAgent('echo')],
      workflows: [workflow],
    });
    const url = h.gateway.url;
    // Typed errors keep message and code.
    const notFound = await subscribeSse(url, RunEventsSubscription, { runId: 'no-such-run' });
    expect((await notFound.feed.all())[0]?.errors?.[0]).toMatchObject({
      message: 'run "no-such-run" does not exist',
      extensions: { code: 'NOT_FOUND' },
    });
    const badInput = await http(url, RunsQuery, { first: 1000 });
    expect(badInput.body.errors?.[0]?.message).toMatch(/^input is invalid: first: /);
    expect(badInput.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const union = await query(url, ExecuteWorkflowMutation, { input: { workflowId: 'nope' } });
    expect(union.executeWorkflow).toMatchObject({
      __typename: 'WorkflowNotFoundError',
      message: 'workflow "nope" does not exist',
    });
    // No field suggestions.
    const unknown = await http(url, '{ retryPolicy { maxAttempt } }');
    expect(unknown.body.errors?.[0]?.message).toBe(
      'Cannot query field "maxAttempt" on type "RetryPolicy". [Suggestion hidden]',
    );
    // Limits are still reported as such.
    expect((await http(url, ABUSIVE.depth)).body.errors?.[0]?.message).toMatch(/depth limit/);

    // An unexpected failure (the database went away) is masked, with a code, over HTTP and WebSocket.
    const ws = connectWs(h.gateway.wsUrl);
    await ws.connected;
    await h.engine.stop();
    await h.store.close();
    const broken = await http(url, RunsQuery, { first: 5 });
    expect(broken.status).toBe(200);
    expect(broken.body.data).toBeNull();
    expect(broken.body.errors).toEqual([
      {
        message: 'Unexpected error.',
        path: ['runs'],
        locations: expect.any(Array),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    const viaWs = await wsOnce(ws, RunsQuery, { first: 5 });
    expect(viaWs.errors).toEqual([
      {
        message: 'Unexpected error.',
        path: ['runs'],
        locations: expect.any(Array),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    await ws.dispose();
  });

  it('outside production, unexpected errors keep their message, still with a code', async () => {
    const h = await startHarness();
    await h.engine.stop();
    await h.store.close();
    const broken = await http(h.gateway.url, RunsQuery, { first: 5 });
    expect(broken.body.errors?.[0]?.message).not.toBe('Unexpected error.');
    expect(broken.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
