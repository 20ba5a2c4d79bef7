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
 * A late joiner must receive what it would have received alone. For subscriptions that deliver what
 * happens from the moment they start, that is the group's next results. For those that replay a log
 * first (`replay`, e.g. a run's events after a seq), the group keeps every payload it has sent and
 * writes them to a joiner before its next results: the same sequence, provided the payloads are
 * immutable records. A group whose history outgrows `maxReplayBytes` takes no more joiners (they open
 * a group of their own, which replays from the store). Subscriptions with a first value of their own
 * (a snapshot now, then periodically) are not shared.
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
  /** Of a replaying group that still takes joiners: every payload sent so far. */
  history: string[] | null;
  historyBytes: number;
}

export interface SharedSubscriptionOptions {
  /** Unsent bytes on a member's socket before it is cut off (it can subscribe again). Default 8 MiB. */
  maxBufferedBytes?: number;
  /** History a replaying group keeps for joiners. Default 4 MiB. */
  maxReplayBytes?: number;
}

const isAsyncIterable = (value: Opened): value is AsyncIterable<ExecutionResult> =>
  typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

export class SharedSubscriptions {
  /** Groups that take joiners. */
  readonly #groups = new Map<string, Group>();
  readonly #maxBufferedBytes: number;
  readonly #maxReplayBytes: number;
  #members = 0;
  /** The sockets of members written to in this turn of the event loop, corked until its end. */
  readonly #corked = new Set<WebSocket>();

  constructor(options: SharedSubscriptionOptions = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#maxReplayBytes = options.maxReplayBytes ?? 4 * 1024 * 1024;
  }

  /** Members of every group. */
  get subscribers(): number {
    return this.#members;
  }

  /**
   * Joins operation `id` on `socket` to the group `key`; `open` opens the group's source when the
   * operation is its first, and `replay` says that the source replays a log before going live. Returns
   * what graphql-ws should iterate, or the single result (an error) that the source opened to, which
   * everyone waiting for it receives; the next member tries again.
   */
  async subscribe(
    key: string,
    member: { id: string; socket: WebSocket; replay: boolean },
    open: () => Opened | Promise<Opened>,
  ): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    let group = this.#groups.get(key);
    if (group === undefined) {
      const created: Group = {
        opening: Promise.resolve().then(open),
        members: new Set(),
        source: null,
        history: member.replay ? [] : null,
        historyBytes: 0,
      };
      this.#groups.set(key, created);
      created.opening.then(
        (opened) => this.#start(key, created, opened),
        () => this.#drop(key, created),
      );
      group = created;
    }
    const opened = await group.opening;
    if (!isAsyncIterable(opened)) return opened;
    // The source ended, lost its members or its history before this member got here: open a new one.
    if (this.#groups.get(key) !== group) return this.subscribe(key, member, open);
    const joined: Member = {
      socket: member.socket,
      prefix: `{"id":${JSON.stringify(member.id)},"type":"next","payload":`,
      stream: new EventStream<never>(),
    };
    for (const payload of group.history ?? []) this.#send(joined, payload);
    group.members.add(joined);
    this.#members++;
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
        this.#deliver(key, group, JSON.stringify(next.value));
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

  #deliver(key: string, group: Group, payload: string): void {
    if (group.history !== null) {
      group.history.push(payload);
      group.historyBytes += payload.length;
      if (group.historyBytes > this.#maxReplayBytes) {
        group.history = null;
        this.#drop(key, group);
      }
    }
    for (const member of group.members) this.#send(member, payload);
  }

  #send(member: Member, payload: string): void {
    const { socket } = member;
    if (socket.readyState !== WebSocket.OPEN) return;
    // Checked at the socket's first write in this turn of the event loop, before its writes are
    // corked (and so buffered too): what is buffered then is what the peer has not taken.
    if (!this.#corked.has(socket)) {
      if (socket.bufferedAmount > this.#maxBufferedBytes) {
        member.stream.fail(
          new SlowSubscriberError(
            `the subscriber fell ${socket.bufferedAmount} bytes of results behind; subscribe again`,
          ),
        );
        return;
      }
      this.#cork(socket);
    }
    socket.send(`${member.prefix}${payload}}`);
  }

  /**
   * Holds the socket's writes until the current turn of the event loop has run its callbacks, so that
   * the results of one engine batch (a run's RUNNING and COMPLETED, say) leave in one system call.
   * `_socket` is the `net.Socket` under a `ws` WebSocket, which has no cork of its own.
   */
  #cork(socket: WebSocket): void {
    (socket as WebSocket & { _socket?: Duplex })._socket?.cork();
    this.#corked.add(socket);
    if (this.#corked.size === 1) process.nextTick(this.#uncorkAll);
  }

  readonly #uncorkAll = (): void => {
    for (const socket of this.#corked) (socket as WebSocket & { _socket?: Duplex })._socket?.uncork();
    this.#corked.clear();
  };

  #leave(key: string, group: Group, member: Member): void {
    if (group.members.delete(member)) this.#members--;
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
