/**
 * An event bus shared by every gateway instance: Redis pub/sub, through ioredis and yoga's Redis event
 * target. With it, a client connected to any instance follows runs executed on any other, dashboards
 * see every instance's runs and breaker transitions, and a cancel reaches the instance that owns the
 * run. Events still reach Redis only after the store has committed them.
 *
 * Redis subscribes asynchronously, so each subscription reports when it is live (`ready`): the reply to
 * a PING sent on the subscribing connection right after SUBSCRIBE, which Redis answers in order.
 * Messages published while Redis is unreachable are lost; a run event subscriber then refills what it
 * missed from the store at the next event it receives.
 */

import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { EventBus, PayloadOf, Subscription, Topic } from '../engine/index.ts';

export interface RedisEventBusOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Prefixed to every channel, so that deployments (or tests) sharing a Redis stay apart. Default `orquestra:`. */
  prefix?: string;
  onListenerError?: (error: unknown, topic: string) => void;
}

export class RedisEventBus implements EventBus {
  readonly distributed = true;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #target: ReturnType<typeof createRedisEventTarget>;
  readonly #prefix: string;
  readonly #listeners = new Map<string, number>();
  readonly #onListenerError: (error: unknown, topic: string) => void;

  private constructor(publisher: Redis, subscriber: Redis, options: RedisEventBusOptions) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#target = createRedisEventTarget({ publishClient: publisher, subscribeClient: subscriber });
    this.#prefix = options.prefix ?? 'orquestra:';
    this.#onListenerError =
      options.onListenerError ??
      ((error, topic) => console.error(`orquestra: a listener of "${topic}" threw`, error));
  }

  /** Connects both connections (publishing, subscribing); rejects with the reason when Redis does not answer. */
  static async connect(options: RedisEventBusOptions): Promise<RedisEventBus> {
    const connection = () => new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const publisher = connection();
    const subscriber = connection();
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw new Error(
        `cannot connect to Redis at ${options.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return new RedisEventBus(publisher, subscriber, options);
  }

  publish<T extends Topic>(topic: T, payload: PayloadOf<T>): void {
    this.#target.dispatchEvent(new CustomEvent(this.#prefix + topic, { detail: payload }));
  }

  subscribe<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): Subscription {
    const channel = this.#prefix + topic;
    const handler = (event: Event) => {
      try {
        listener((event as CustomEvent<PayloadOf<T>>).detail);
      } catch (error) {
        this.#onListenerError(error, topic);
      }
    };
    this.#target.addEventListener(channel, handler);
    this.#listeners.set(topic, (this.#listeners.get(topic) ?? 0) + 1);
    const ready = this.#subscriber.ping().then(() => undefined);
    let disposed = false;
    return {
      ready,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.#target.removeEventListener(channel, handler);
        const count = (this.#listeners.get(topic) ?? 1) - 1;
        if (count) this.#listeners.set(topic, count);
        else this.#listeners.delete(topic);
      },
    };
  }

  /** Resolves once every subscription made before this call is live. */
  async settled(): Promise<void> {
    await this.#subscriber.ping();
  }

  listenerCount(topic: Topic): number {
    return this.#listeners.get(topic) ?? 0;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.allSettled([this.#publisher.quit(), this.#subscriber.quit()]);
  }
}
