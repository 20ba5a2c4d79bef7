/**
 * The event bus: how runs, status changes and breaker transitions reach subscribers.
 *
 * The engine publishes a run's events only after the store has committed them, so a subscriber never
 * receives an event that a crash could lose. The default bus is in-process; a deployment with several
 * gateway instances plugs in a shared one (Redis) behind the same interface.
 */

import type { RunEvent, TopicPayloads } from './events.ts';

export type Topic = keyof TopicPayloads | `run:${string}`;
export type PayloadOf<T extends Topic> = T extends keyof TopicPayloads ? TopicPayloads[T] : RunEvent;

export interface Disposable {
  dispose(): void;
}

export interface Subscription extends Disposable {
  /**
   * Resolves once the listener receives everything published from then on. A shared bus subscribes
   * asynchronously; a subscriber that must not miss an event (runEvents, before reading the store)
   * waits for it.
   */
  readonly ready: Promise<void>;
}

export interface EventBus {
  /** True when several processes share the bus, so that a run may be owned by another instance. */
  readonly distributed: boolean;
  /** Delivers to every listener of the topic; a throwing listener does not stop the others. */
  publish<T extends Topic>(topic: T, payload: PayloadOf<T>): void;
  subscribe<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): Subscription;
  /** Listeners currently attached to a topic; lets tests prove that subscriptions do not leak. */
  listenerCount(topic: Topic): number;
  close(): Promise<void>;
}

type AnyListener = (payload: never) => void;

const READY: Promise<void> = Promise.resolve();

export class InMemoryEventBus implements EventBus {
  readonly distributed = false;
  readonly #topics = new Map<string, Set<AnyListener>>();
  readonly #onListenerError: (error: unknown, topic: string) => void;

  constructor(options: { onListenerError?: (error: unknown, topic: string) => void } = {}) {
    this.#onListenerError =
      options.onListenerError ??
      ((error, topic) => {
        console.error(`orquestra: a listener of "${topic}" threw`, error);
      });
  }

  publish<T extends Topic>(topic: T, payload: PayloadOf<T>): void {
    const listeners = this.#topics.get(topic);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        (listener as (p: PayloadOf<T>) => void)(payload);
      } catch (error) {
        this.#onListenerError(error, topic);
      }
    }
  }

  subscribe<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): Subscription {
    let listeners = this.#topics.get(topic);
    if (!listeners) {
      listeners = new Set();
      this.#topics.set(topic, listeners);
    }
    const entry = listener as AnyListener;
    listeners.add(entry);
    let disposed = false;
    return {
      ready: READY,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        const current = this.#topics.get(topic);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) this.#topics.delete(topic);
      },
    };
  }

  listenerCount(topic: Topic): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.#topics.clear();
  }
}
