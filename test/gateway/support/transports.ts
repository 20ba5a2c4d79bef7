/**
 * Real clients for the three transports: `fetch` for HTTP, `fetch` with `accept: text/event-stream` for
 * SSE (the stream parsed here), and the graphql-ws client over `ws`. Typed by the TypedDocumentNodes
 * that codegen generates from `src/client/operations.ts`; raw strings are accepted for the malformed
 * documents that codegen would (rightly) refuse.
 */

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface WireError {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

export interface Result<R> {
  data?: R | null;
  errors?: WireError[];
}

type Document<R, V> = TypedDocumentNode<R, V> | string;

const source = <R, V>(document: Document<R, V>): string =>
  typeof document === 'string' ? document : print(document);

export interface HttpOptions {
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  headers?: Record<string, string>;
}

export interface HttpResponse<R> {
  status: number;
  headers: Headers;
  body: Result<R>;
}

/** POSTs an operation as JSON and parses the JSON answer. */
export async function http<R, V>(
  url: string,
  document: Document<R, V>,
  variables?: V,
  options: HttpOptions = {},
): Promise<HttpResponse<R>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: source(document), variables: variables ?? {} }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** `http` for operations that must succeed: returns `data`, failing the test on any error. */
export async function query<R, V>(
  url: string,
  document: Document<R, V>,
  variables?: V,
  options?: HttpOptions,
): Promise<R> {
  const { status, body } = await http(url, document, variables, options);
  if (status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`operation failed (HTTP ${status}): ${JSON.stringify(body)}`);
  }
  return body.data;
}

/** How a feed ended. */
export type FeedEnd = { kind: 'complete' } | { kind: 'error'; error: unknown };

/**
 * Messages of one subscription in arrival order. `next()` reads the next unread message, waiting for
 * it; it rejects when the subscription ends first. Nothing here sleeps or polls.
 */
export class Feed<T> {
  readonly items: T[] = [];
  #read = 0;
  #end: FeedEnd | null = null;
  #wake: (() => void) | null = null;
  readonly done: Promise<FeedEnd>;
  #resolveDone!: (end: FeedEnd) => void;

  constructor() {
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  get ended(): FeedEnd | null {
    return this.#end;
  }

  push(item: T): void {
    if (this.#end) return;
    this.items.push(item);
    this.#wake?.();
  }

  end(end: FeedEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#resolveDone(end);
    this.#wake?.();
  }

  async next(): Promise<T> {
    for (;;) {
      if (this.#read < this.items.length) return this.items[this.#read++] as T;
      if (this.#end)
        throw new Error(`the subscription ended (${describeEnd(this.#end)}) before the awaited message`);
      await new Promise<void>((resolve) => {
        this.#wake = () => {
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  /** Reads until a message matches, returning it. */
  async until(predicate: (item: T) => boolean): Promise<T> {
    for (;;) {
      const item = await this.next();
      if (predicate(item)) return item;
    }
  }

  async take(count: number): Promise<T[]> {
    const out: T[] = [];
    while (out.length < count) out.push(await this.next());
    return out;
  }

  /** Waits for the end and returns every message (read or not), failing unless it completed. */
  async all(): Promise<T[]> {
    const end = await this.done;
    if (end.kind !== 'complete') throw new Error(`the subscription ended with ${describeEnd(end)}`);
    this.#read = this.items.length;
    return [...this.items];
  }
}

function describeEnd(end: FeedEnd): string {
  if (end.kind === 'complete') return 'complete';
  return `error ${JSON.stringify(end.error, (_k, v) => (v instanceof Error ? v.message : v))}`;
}

// ---- WebSocket ----------------------------------------------------------------------------------------

export interface WsConnection {
  client: Client;
  /** Resolves with the close code and reason once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged the connection. */
  connected: Promise<void>;
  /** The connection's socket, once acknowledged (to pause reading it, say). */
  socket: Promise<WebSocket>;
  dispose(): Promise<void>;
}

/** Opens a graphql-ws connection at once (not lazily), without reconnecting. */
export function connectWs(url: string, options: { authorization?: string } = {}): WsConnection {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  let onConnected!: (socket: WebSocket) => void;
  const socket = new Promise<WebSocket>((resolve) => {
    onConnected = resolve;
  });
  const connected = socket.then(() => {});
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    connectionParams: options.authorization === undefined ? {} : { authorization: options.authorization },
    on: {
      connected: (connectedSocket) => onConnected(connectedSocket as WebSocket),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, closed, connected, socket, dispose: () => client.dispose() as Promise<void> };
}

export interface WsSubscription<R> {
  feed: Feed<Result<R>>;
  /** Unsubscribes (sends `complete` to the server). */
  unsubscribe(): void;
}

/** Starts an operation (a subscription, or a query or mutation) on the connection. */
export function subscribeWs<R, V>(
  connection: WsConnection | Client,
  document: Document<R, V>,
  variables?: V,
): WsSubscription<R> {
  const client = 'client' in connection ? connection.client : connection;
  const feed = new Feed<Result<R>>();
  const unsubscribe = client.subscribe<R>(
    { query: source(document), variables: (variables ?? {}) as Record<string, unknown> },
    {
      next: (value) => feed.push(value as Result<R>),
      error: (error) => feed.end({ kind: 'error', error }),
      complete: () => feed.end({ kind: 'complete' }),
    },
  );
  return { feed, unsubscribe };
}

/** Runs a query or mutation over the WebSocket and returns its single result. */
export async function wsOnce<R, V>(
  connection: WsConnection | Client,
  document: Document<R, V>,
  variables?: V,
): Promise<Result<R>> {
  const { feed } = subscribeWs(connection, document, variables);
  const [result] = await feed.all();
  if (!result) throw new Error('the operation completed without a result');
  return result;
}

// ---- Server-Sent Events -------------------------------------------------------------------------------

export interface SseStream<R> {
  status: number;
  contentType: string | null;
  /** Parsed `next` payloads; the feed completes on `event: complete`. */
  feed: Feed<Result<R>>;
  /** The JSON body when the server answered without a stream. */
  body: unknown;
  /** Disconnects. */
  abort(): void;
}

/** Subscribes over SSE (graphql-sse "distinct connections" mode, as graphql-yoga serves it). */
export async function subscribeSse<R, V>(
  url: string,
  document: Document<R, V>,
  variables?: V,
  options: HttpOptions = {},
): Promise<SseStream<R>> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: source(document), variables: variables ?? {} }),
  });
  const feed = new Feed<Result<R>>();
  const contentType = response.headers.get('content-type');
  const abort = () => controller.abort();
  if (!contentType?.includes('text/event-stream') || !response.body) {
    const text = await response.text();
    feed.end({ kind: 'error', error: text });
    return { status: response.status, contentType, feed, body: text ? JSON.parse(text) : null, abort };
  }
  void readEvents(response.body, feed);
  return { status: response.status, contentType, feed, body: null, abort };
}

async function readEvents<R>(body: ReadableStream<Uint8Array>, feed: Feed<Result<R>>): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const { event, data } = parseBlock(block);
        if (event === 'next') feed.push(JSON.parse(data) as Result<R>);
        else if (event === 'complete') feed.end({ kind: 'complete' });
      }
    }
    feed.end({ kind: 'error', error: new Error('the event stream closed without a complete event') });
  } catch (error) {
    feed.end({ kind: 'error', error });
  }
}

/** One SSE block: `event:` and `data:` lines; comment lines (`:`) are keep-alives. */
function parseBlock(block: string): { event: string | null; data: string } {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { event, data: data.join('\n') };
}
