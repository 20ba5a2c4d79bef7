/**
 * A push-based async iterable with explicit disposal.
 *
 * Subscriptions hand one of these to their consumer. `return()` (called by `for await` on break, by
 * GraphQL servers on unsubscribe, or by `await using`) disposes the underlying bus listeners at once,
 * even while the consumer is waiting for the next value, so listeners never leak. A consumer that
 * falls `maxBuffered` values behind gets an error instead of unbounded memory growth; it can
 * resubscribe from the last seq it saw.
 */

const brand = Symbol.for('orquestra.slow-subscriber');

export class SlowSubscriberError extends Error {
  readonly [brand] = true;
  override readonly name = 'SlowSubscriberError';
}

export class EventStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  #queue: T[] = [];
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  #ended = false;
  #error: unknown = null;
  #cleanup: (() => void)[] = [];
  readonly #maxBuffered: number;

  constructor(options: { maxBuffered?: number } = {}) {
    this.#maxBuffered = options.maxBuffered ?? 10_000;
  }

  /** Registers what to release when the stream ends, however it ends. */
  onDispose(cleanup: () => void): void {
    if (this.#ended) cleanup();
    else this.#cleanup.push(cleanup);
  }

  get closed(): boolean {
    return this.#ended;
  }

  push(value: T): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve({ value, done: false });
      return;
    }
    if (this.#queue.length >= this.#maxBuffered) {
      this.fail(
        new SlowSubscriberError(
          `the subscriber fell ${this.#maxBuffered} events behind; resubscribe from the last seq received`,
        ),
      );
      return;
    }
    this.#queue.push(value);
  }

  /** Ends after the values already pushed have been consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#release();
    if (this.#waiting && this.#queue.length === 0) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve({ value: undefined, done: true });
    }
  }

  /** Ends with an error, delivered after the values already pushed. */
  fail(error: unknown): void {
    if (this.#ended) return;
    // A consumer already waiting has had every value: it gets the error now, not the end.
    const waiting = this.#waiting;
    this.#waiting = null;
    this.#error = waiting ? null : error;
    this.end();
    waiting?.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
    if (this.#ended) {
      if (this.#error !== null) {
        const error = this.#error;
        this.#error = null;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#queue = [];
    this.#error = null;
    this.end();
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #release(): void {
    const cleanup = this.#cleanup;
    this.#cleanup = [];
    for (const fn of cleanup) fn();
  }
}
