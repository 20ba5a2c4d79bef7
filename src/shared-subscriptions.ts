/**
 * WebSocket subscriptions that ask for the same thing share one execution and one serialisation.
 *
 * A dashboard of runs is opened by many people with the same subscription, so a run's status change
 * would otherwise be resolved, serialised and pushed through the protocol server once per subscriber:
 * at a thousand subscribers that is most of the gateway's work. Operations are grouped by a key that
 * the server builds from what decides their results: the caller's role, the query text, the operation
 * name and the variables. The first operation of a group opens its one source (the full envelop chain:
 * authorisation, limits, error masking); each result is serialised once and written to every member's
 * socket as the protocol's `next` message for that member's operation id.
 *
 * Only subscriptions that deliver what happens from the moment they start, without a first value or a
 * replay of their own, may be shared: a late joiner then misses nothing it would have received alone.
 *
 * graphql-ws keeps the rest of the protocol: each member is, to it, a subscription that yields nothing
 * and completes (or fails) when the group's source does, and that it ends when the client completes or
 * disconnects. A member whose socket has more than `maxBufferedBytes` unsent is cut off with a
 * {@link SlowSubscriberError}, as an unshared subscriber that falls behind would be, without holding up
 * the others. The source closes when its last member leaves.
 */

import type { Duplex } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import WebSocket from 'ws';
import { EventStream, SlowSubscriberError } from './engine/event-stream.ts';

type Opened = AsyncIterable<ExecutionResult> | ExecutionResult;

interface Member {
  socket: WebSocket;
  /** `{"id":"<operation id>","type":"next","payload":` */
  prefix: string;
  /** What graphql-ws iterates: never a value, only the end. */
  stream: EventStream<never>;
}

interface Group {
  /** Settles once the source is open: the source, or the single result that replaced it (an error). */
  readonly opening: Promise<Opened>;
  readonly members: Set<Member>;
  source: AsyncIterator<ExecutionResult> | null;
}

const isAsyncIterable = (value: Opened): value is AsyncIterable<ExecutionResult> =>
  typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

export class SharedSubscriptions {
  readonly #groups = new Map<string, Group>();
  readonly #maxBufferedBytes: number;
  /** The sockets of members written to in this turn of the event loop (corked until its end), and the bytes written. */
  readonly #corked = new Map<WebSocket, number>();

  /** @param options.maxBufferedBytes unsent bytes on a member's socket before it is cut off. Default 8 MiB. */
  constructor(options: { maxBufferedBytes?: number } = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  }

  /** Members of every group. */
  get subscribers(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.members.size;
    return count;
  }

  /**
   * Joins operation `id` on `socket` to the group `key`; `open` opens the group's source when the
   * operation is its first. Returns what graphql-ws should iterate, or the single result (an error)
   * that the source opened to, which everyone waiting for it receives; the next member tries again.
   */
  async subscribe(
    key: string,
    member: { id: string; socket: WebSocket },
    open: () => Opened | Promise<Opened>,
  ): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    let group = this.#groups.get(key);
    if (group === undefined) {
      const created: Group = { opening: Promise.resolve().then(open), members: new Set(), source: null };
      this.#groups.set(key, created);
      created.opening.then(
        (opened) => this.#start(key, created, opened),
        () => this.#drop(key, created),
      );
      group = created;
    }
    const opened = await group.opening;
    if (!isAsyncIterable(opened)) return opened;
    // The source ended (or lost its members) before this member got here: open a new one.
    if (this.#groups.get(key) !== group) return this.subscribe(key, member, open);
    const joined: Member = {
      socket: member.socket,
      prefix: `{"id":${JSON.stringify(member.id)},"type":"next","payload":`,
      stream: new EventStream<never>(),
    };
    group.members.add(joined);
    joined.stream.onDispose(() => this.#leave(key, group, joined));
    return joined.stream;
  }

  #start(key: string, group: Group, opened: Opened): void {
    if (!isAsyncIterable(opened)) {
      this.#drop(key, group);
      return;
    }
    group.source = opened[Symbol.asyncIterator]();
    // The members waiting for `opening` join in the microtasks queued before this one: the first
    // result goes to all of them, and a group that nobody joined closes at once.
    queueMicrotask(() => {
      if (group.members.size === 0) this.#close(key, group);
      else void this.#pump(key, group);
    });
  }

  async #pump(key: string, group: Group): Promise<void> {
    let error: unknown = null;
    try {
      for (;;) {
        const source = group.source;
        if (source === null) return;
        const next = await source.next();
        if (next.done) break;
        this.#deliver(group, JSON.stringify(next.value));
      }
    } catch (thrown) {
      error = thrown ?? new Error('the subscription failed');
    }
    this.#drop(key, group);
    group.source = null;
    for (const member of group.members) {
      if (error === null) member.stream.end();
      else member.stream.fail(error);
    }
  }

  #deliver(group: Group, payload: string): void {
    for (const member of group.members) {
      const { socket } = member;
      if (socket.readyState !== WebSocket.OPEN) continue;
      // What the peer has not taken: the socket also buffers what this turn wrote, corked.
      const unsent = socket.bufferedAmount - (this.#corked.get(socket) ?? 0);
      if (unsent > this.#maxBufferedBytes) {
        member.stream.fail(
          new SlowSubscriberError(`the subscriber fell ${unsent} bytes of results behind; subscribe again`),
        );
        continue;
      }
      const frame = `${member.prefix}${payload}}`;
      this.#cork(socket, Buffer.byteLength(frame));
      socket.send(frame);
    }
  }

  /**
   * Holds the socket's writes until the current turn of the event loop has run its callbacks, so that
   * the results of one engine batch (a run's RUNNING and COMPLETED, say) leave in one system call.
   * `_socket` is the `net.Socket` under a `ws` WebSocket, which has no cork of its own.
   */
  #cork(socket: WebSocket, bytes: number): void {
    const written = this.#corked.get(socket);
    if (written !== undefined) {
      this.#corked.set(socket, written + bytes);
      return;
    }
    (socket as WebSocket & { _socket?: Duplex })._socket?.cork();
    this.#corked.set(socket, bytes);
    if (this.#corked.size === 1) process.nextTick(this.#uncorkAll);
  }

  readonly #uncorkAll = (): void => {
    for (const socket of this.#corked.keys()) (socket as WebSocket & { _socket?: Duplex })._socket?.uncork();
    this.#corked.clear();
  };

  #leave(key: string, group: Group, member: Member): void {
    group.members.delete(member);
    if (group.members.size === 0) this.#close(key, group);
  }

  #close(key: string, group: Group): void {
    this.#drop(key, group);
    const source = group.source;
    group.source = null;
    void source?.return?.();
  }

  #drop(key: string, group: Group): void {
    if (this.#groups.get(key) === group) this.#groups.delete(key);
  }
}
