/**
 * The gateway: GraphQL over HTTP, SSE and WebSocket on one port, in front of one engine.
 *
 * yoga serves `/graphql` over HTTP (and GraphiQL, and SSE subscriptions); graphql-ws serves the same
 * path over WebSocket through yoga's envelop chain, so authentication, the depth/alias/cost limits and
 * error masking are the same on every transport. An operation that fails to parse or validate gets an
 * error for that operation only; the socket and its other subscriptions carry on. Identical WebSocket
 * subscriptions share one execution (src/shared-subscriptions.ts). `/healthz` says the process is up,
 * `/readyz` that the engine and its store are ready.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  getOperationAST,
  Kind,
  type ValidationContext,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import { isLoopback } from './config.ts';
import type { Orchestrator } from './engine/index.ts';
import type { GraphQLContext, Role } from './schema/index.ts';
import { schema } from './schema/index.ts';
import { type SharedSubscriptionOptions, SharedSubscriptions } from './shared-subscriptions.ts';

export interface GatewayOptions {
  engine: Orchestrator;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** API keys and their roles; null or absent leaves the gateway open (only allowed on loopback). */
  apiKeys?: ReadonlyMap<string, Role> | null;
  /** Masks unexpected errors and hides field suggestions. Default: NODE_ENV === 'production'. */
  production?: boolean;
  /** Largest accepted request body. Default 4 MiB. */
  bodyLimitBytes?: number;
  /** Bounds of subscriptions shared by identical WebSocket operations (src/shared-subscriptions.ts). */
  sharedSubscriptions?: SharedSubscriptionOptions;
  /** Query limits; the defaults let a page of runs with steps, agents and breakers through. */
  limits?: { maxDepth?: number; maxAliases?: number; maxCost?: number; maxTokens?: number };
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface Gateway {
  /** e.g. http://127.0.0.1:4000/graphql */
  url: string;
  /** e.g. ws://127.0.0.1:4000/graphql */
  wsUrl: string;
  host: string;
  port: number;
  httpServer: Server;
  /** WebSocket subscriptions in flight that share their execution with identical ones. */
  readonly sharedSubscribers: number;
  /**
   * Stops accepting connections, lets runs finish for `graceMs` (then ends them INTERRUPTED), delivers
   * their terminal events, and closes sockets with the protocol's going-away code.
   */
  close(options?: { graceMs?: number; flushTimeoutMs?: number }): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
/** At close, how long subscribers of ended runs may take to receive the end of their stream. */
const DRAIN_MS = 5_000;

/**
 * Subscriptions whose identical WebSocket operations share one execution (src/shared-subscriptions.ts),
 * and whether each replays a log before going live. `stats` is not among them: each subscriber's first
 * value is a snapshot taken when it subscribes.
 */
const SHARED_SUBSCRIPTIONS = new Map([
  ['runUpdates', { replay: false }],
  ['circuitBreakerChanged', { replay: false }],
  ['domainEvents', { replay: false }],
  ['runEvents', { replay: true }],
]);

/** What onSubscribe hands graphql-ws's execute and subscribe for one operation. */
interface OperationRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** The group of identical operations this one joins; null when it runs on its own. */
  shareKey: string | null;
  /** Where a shared operation's results go. */
  member: { id: string; socket: WebSocket; replay: boolean };
}

/** HTTP requests carry their role through a WeakMap keyed by the request; WebSocket operations pass it directly. */
type ServerContext = { req: IncomingMessage; res?: ServerResponse; role?: Role };

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const apiKeys = options.apiKeys && options.apiKeys.size > 0 ? options.apiKeys : null;
  if (!apiKeys && !isLoopback(host)) {
    throw new Error(
      `refusing to listen on ${host} without API keys: the gateway would be open to anyone who can reach it. ` +
        'Set ORQUESTRA_API_KEYS (key:role,…) or listen on 127.0.0.1.',
    );
  }
  const engine = options.engine;
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const bodyLimit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  const logger = options.logger ?? console;
  const limits = { maxDepth: 12, maxAliases: 20, maxCost: 20_000, maxTokens: 3_000, ...options.limits };

  const roleOf = new WeakMap<IncomingMessage, Role>();
  const runEventStreams = new Set<Promise<void>>();
  const yoga: YogaServerInstance<ServerContext, GraphQLContext> = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    batching: false,
    // yoga's own messages (e.g. unexpected resolver errors) go to the gateway's logger when one is given.
    logging: options.logger
      ? {
          debug: () => {},
          info: production ? () => {} : (...args: unknown[]) => logger.info(...args),
          warn: (...args: unknown[]) => logger.warn(...args),
          error: (...args: unknown[]) => logger.error(...args),
        }
      : production
        ? 'warn'
        : 'info',
    context: ({ req, role }) => ({ engine, role: role ?? roleOf.get(req) ?? 'viewer' }),
    graphiql: {
      title: 'orquestra',
      subscriptionsProtocol: 'WS',
      defaultQuery: GRAPHIQL_QUERY,
    },
    maskedErrors: {
      isDev: !production,
      maskError: (error, message) => {
        // Typed errors carry a code and stay readable; anything unexpected is masked with a code too.
        const original = error instanceof GraphQLError ? error.originalError : undefined;
        if (
          error instanceof GraphQLError &&
          (error.extensions.code || (original instanceof GraphQLError && original.extensions.code))
        ) {
          return error;
        }
        return new GraphQLError(
          production ? message : error instanceof Error ? error.message : String(error),
          {
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
            ...(error instanceof GraphQLError
              ? { nodes: error.nodes ?? null, path: error.path ?? null }
              : {}),
          },
        );
      },
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...asValidationError },
        maxAliases: { n: limits.maxAliases, ...asValidationError },
        maxDirectives: { n: 50, ...asValidationError },
        costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...asValidationError },
        maxTokens: { n: limits.maxTokens },
        blockFieldSuggestion: { enabled: production },
      }),
      trackRunEventStreams(runEventStreams),
    ],
  });

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('orquestra: request failed', error);
      if (!res.headersSent)
        send(res, 500, {
          errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = await engine.ready();
      return send(
        res,
        ready.ready ? 200 : 503,
        ready.ready ? { status: 'ready' } : { status: 'not ready', reason: ready.reason },
      );
    }
    if (path !== GRAPHQL_PATH) return send(res, 404, { error: `not found; GraphQL is at ${GRAPHQL_PATH}` });

    const isGraphiQLPage =
      req.method === 'GET' &&
      (req.headers.accept ?? '').includes('text/html') &&
      !(req.url ?? '').includes('query=');
    // A CORS preflight carries no credentials by definition; yoga answers it without executing anything.
    const isPreflight = req.method === 'OPTIONS';
    // With keys, a request that is not authenticated (the GraphiQL page, a preflight) gets the least role.
    let role: Role = apiKeys ? 'viewer' : 'admin';
    if (apiKeys && !isGraphiQLPage && !isPreflight) {
      const key = bearer(req.headers.authorization);
      const found = key === null ? undefined : apiKeys.get(key);
      if (!found) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="orquestra"');
        return send(res, 401, {
          errors: [
            {
              message:
                key === null ? 'missing API key: send "Authorization: Bearer <key>"' : 'unknown API key',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
      }
      role = found;
    }
    if (req.method === 'POST') {
      const length = req.headers['content-length'];
      if (length === undefined)
        return send(res, 411, {
          errors: [{ message: 'a Content-Length header is required', extensions: { code: 'BAD_REQUEST' } }],
        });
      if (Number(length) > bodyLimit) {
        return send(res, 413, {
          errors: [
            {
              message: `request body of ${length} bytes exceeds the limit of ${bodyLimit}`,
              extensions: { code: 'PAYLOAD_TOO_LARGE' },
            },
          ],
        });
      }
    }
    roleOf.set(req, role);
    await yoga.requestListener(req, res);
  }

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: bodyLimit });
  const roles = new WeakMap<object, Role>();
  const shared = new SharedSubscriptions(options.sharedSubscriptions);
  const wsDisposable = useServer<Record<string, unknown> | undefined, { role?: Role }>(
    {
      onConnect: (ctx) => {
        if (!apiKeys) {
          roles.set(ctx, 'admin');
          return true;
        }
        const key = bearer(
          typeof ctx.connectionParams?.authorization === 'string'
            ? ctx.connectionParams.authorization
            : undefined,
        );
        const role = key === null ? undefined : apiKeys.get(key);
        if (!role) {
          // No key at all is 4401 (authenticate first); a wrong key is 4403 (forbidden).
          ctx.extra.socket.close(
            key === null ? CloseCode.Unauthorized : CloseCode.Forbidden,
            key === null ? 'Unauthorized' : 'Forbidden',
          );
          return false;
        }
        roles.set(ctx, role);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const role = roles.get(ctx) ?? 'viewer';
        const enveloped = yoga.getEnveloped({
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          role,
        });
        let document: ExecutionArgs['document'];
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          // The same code as over HTTP, where yoga adds it.
          return [
            new GraphQLError(error instanceof Error ? error.message : String(error), {
              ...(error instanceof GraphQLError ? { source: error.source, positions: error.positions } : {}),
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            }),
          ];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = enveloped.validate(enveloped.schema, document);
        } catch (error) {
          // A validation rule that throws fails this operation, never the socket and its other operations.
          return [
            new GraphQLError(error instanceof Error ? error.message : String(error), {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          ];
        }
        if (errors.length) return errors.map(withoutHttpExtension);
        const operationName = payload.operationName ?? null;
        const variables = payload.variables ?? null;
        const sharing = SHARED_SUBSCRIPTIONS.get(rootField(document, operationName) ?? '');
        const rootValue: OperationRoot = {
          execute: enveloped.execute,
          subscribe: enveloped.subscribe,
          shareKey: sharing ? JSON.stringify([role, payload.query, operationName, variables]) : null,
          member: { id, socket: ctx.extra.socket, replay: sharing?.replay ?? false },
        };
        return {
          schema: enveloped.schema,
          document,
          operationName,
          variableValues: variables,
          contextValue: await enveloped.contextFactory(),
          rootValue,
        };
      },
      execute: (args) => (args.rootValue as OperationRoot).execute(args) as never,
      subscribe: (args) => {
        const root = args.rootValue as OperationRoot;
        if (root.shareKey === null) return root.subscribe(args) as never;
        return shared.subscribe(root.shareKey, root.member, () => root.subscribe(args) as never) as never;
      },
    },
    wsServer,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 4000, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${address.port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${shownHost}:${address.port}${GRAPHQL_PATH}`,
    host,
    port: address.port,
    httpServer,
    get sharedSubscribers() {
      return shared.subscribers;
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        httpServer.close();
        httpServer.closeIdleConnections();
        // Runs end (or are interrupted) first, so live subscribers still receive the terminal events.
        await engine.stop({
          graceMs: closeOptions.graceMs ?? 10_000,
          ...(closeOptions.flushTimeoutMs === undefined
            ? {}
            : { flushTimeoutMs: closeOptions.flushTimeoutMs }),
        });
        // Their runEvents streams have ended; the sockets close only once each subscriber has received
        // the rest and the end of its stream (bounded: a run of another instance does not end here).
        await settled(runEventStreams, DRAIN_MS);
        // graphql-ws sends `complete` in the microtasks after a stream ends.
        await new Promise((resolve) => setImmediate(resolve));
        await wsDisposable.dispose();
        httpServer.closeAllConnections();
      })();
      return closing;
    },
  };
}

/**
 * Keeps, per `runEvents` subscription in flight, a promise that settles once the subscriber has received
 * the whole stream: over SSE when the response has been sent, over WebSocket when the stream has been
 * consumed (graphql-ws consumes the next value only after sending the previous one).
 */
function trackRunEventStreams(pending: Set<Promise<void>>): Plugin {
  return {
    onSubscribe: ({ args }) => {
      if (rootField(args.document, args.operationName) !== 'runEvents') return;
      return {
        onSubscribeResult: ({ result }) => {
          if (!(Symbol.asyncIterator in result)) return;
          let done!: () => void;
          const delivered = new Promise<void>((resolve) => {
            done = resolve;
          });
          pending.add(delivered);
          delivered.then(() => pending.delete(delivered));
          const res = (args.contextValue as Partial<ServerContext>).res;
          if (!res) return { onEnd: done };
          if (res.closed) done();
          else res.once('close', done);
        },
      };
    },
  };
}

function rootField(document: DocumentNode, operationName: string | null | undefined): string | null {
  const selection = getOperationAST(document, operationName)?.selectionSet.selections[0];
  return selection?.kind === Kind.FIELD ? selection.name.value : null;
}

/** yoga marks validation errors with the HTTP status they imply; a WebSocket client has no use for it. */
function withoutHttpExtension(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions,
  });
}

/** Resolves when every promise has settled, or after `ms`. */
async function settled(promises: Iterable<Promise<unknown>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([Promise.allSettled([...promises]), timeout]);
  clearTimeout(timer);
}

/**
 * A rejected limit becomes an ordinary validation error of the operation (400 over HTTP, an `error`
 * message over WebSocket). By default the envelop armor rules throw out of `validate`, which yoga
 * answers as a masked internal error and graphql-ws by closing the whole socket.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : header.trim() || null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

const GRAPHIQL_QUERY = `# Welcome to orquestra. Try:
#
# mutation { executeWorkflow(input: { workflowId: "default_investigation", input: { dataset: "ifms" } }) {
#   ... on ExecuteWorkflowSuccess { run { runId status } } } }
#
# then, with the runId, a live subscription:
#
# subscription { runEvents(runId: "<runId>") { seq type stepId agent message } }

query Overview {
  workflows { workflowId version pattern name }
  agents { name capabilities circuitBreaker { state } }
  stats { runs { total succeeded failed running } }
}
`;
