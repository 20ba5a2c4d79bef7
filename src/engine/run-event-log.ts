/**
 * The run event log's write path: store first, then subscribers.
 *
 * Everything the engine records during one turn of the event loop (events, run and step records, the
 * statistics snapshot) is collected and written as one batch in one transaction, on `setImmediate`:
 * under load, the many I/O callbacks of one poll phase (HTTP requests, agents' replies) share one
 * commit instead of paying one each. Only once the batch is committed are its events published, in
 * seq order, so no subscriber ever receives an event that a crash could lose. Batching keeps the cost
 * of persistence per step small; writes are serialised so batches commit in order. A failing store is
 * retried with backoff, holding publication back, rather than dropping anything.
 */

// From node:timers rather than the global, which fake timers replace: the log must never wait for a
// test's clock.
import { setImmediate } from 'node:timers';
import type { EventBus } from './event-bus.ts';
import { type RunEvent, type RunUpdate, runTopic } from './events.ts';
import type { JsonValue } from './json.ts';
import type { RunRecord, StepRunRecord } from './run.ts';
import type { RunStore, StoreBatch } from './store.ts';

export interface RunEventLogOptions {
  store: RunStore;
  bus: EventBus;
  /** Current statistics snapshot and its version, written with a batch when it changed. */
  statistics?: { version(): number; snapshot(): JsonValue; minIntervalMs: number };
  onWriteError?: (error: unknown, attempt: number) => void;
}

const RETRY_DELAYS_MS = [50, 200, 1_000, 5_000];

export class RunEventLog {
  readonly #store: RunStore;
  readonly #bus: EventBus;
  readonly #statistics: RunEventLogOptions['statistics'];
  readonly #onWriteError: (error: unknown, attempt: number) => void;

  #events: RunEvent[] = [];
  #runs = new Set<RunRecord>();
  #steps = new Set<StepRunRecord>();
  #updates: RunUpdate[] = [];
  #callbacks: (() => void)[] = [];
  #scheduled = false;
  #writing: Promise<void> | null = null;
  #writtenStatisticsVersion = -1;
  #statisticsWrittenAt = 0;
  /** Set when a throttled snapshot is due, or on close: the next batch carries statistics. */
  #statisticsDue = true;
  #statisticsTimer: ReturnType<typeof setTimeout> | null = null;
  #healthy = true;
  #closed = false;

  constructor(options: RunEventLogOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#statistics = options.statistics;
    this.#onWriteError =
      options.onWriteError ??
      ((error, attempt) =>
        console.error(`orquestra: writing to the run store failed (attempt ${attempt}); retrying`, error));
  }

  /** False while the store refuses writes; `/readyz` reports it. */
  get healthy(): boolean {
    return this.#healthy;
  }

  append(event: RunEvent): void {
    this.#events.push(event);
    this.#schedule();
  }

  /** The live record changed; its state at flush time is written. */
  runChanged(record: RunRecord): void {
    this.#runs.add(record);
    this.#schedule();
  }

  stepChanged(record: StepRunRecord): void {
    this.#steps.add(record);
    this.#schedule();
  }

  /** Published on `run.updates` once the batch holding the change is committed. */
  runUpdate(update: RunUpdate): void {
    this.#updates.push(update);
    this.#schedule();
  }

  /** Runs `callback` once everything recorded so far is committed and published. */
  afterFlush(callback: () => void): void {
    this.#callbacks.push(callback);
    this.#schedule();
  }

  /** Resolves once everything recorded so far is committed and published. */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.afterFlush(resolve));
  }

  /**
   * Writes what is pending (statistics included) and stops. When the store keeps refusing writes for
   * `timeoutMs`, it gives up: what was not written was never published either, and the next start
   * marks the runs it left RUNNING as interrupted. Resolves true when everything was written.
   */
  async close(timeoutMs = 10_000): Promise<boolean> {
    this.#statisticsDue = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const written = await Promise.race([this.flushed().then(() => true as const), gaveUp]);
    clearTimeout(timer);
    if (this.#statisticsTimer) clearTimeout(this.#statisticsTimer);
    this.#statisticsTimer = null;
    this.#closed = true;
    if (!written) {
      this.#onWriteError(
        new Error(
          `gave up after ${timeoutMs} ms: ${this.#events.length} event(s) were neither written nor published`,
        ),
        0,
      );
    }
    return written;
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    setImmediate(this.#startFlush);
  }

  readonly #startFlush = (): void => {
    this.#scheduled = false;
    if (this.#writing) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = null;
      if (this.#pending()) this.#schedule();
    });
  };

  #pending(): boolean {
    return (
      this.#events.length > 0 ||
      this.#runs.size > 0 ||
      this.#steps.size > 0 ||
      this.#callbacks.length > 0 ||
      this.#updates.length > 0 ||
      (this.#statisticsDue && this.#statisticsChanged())
    );
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#pending()) {
      const events = this.#events;
      const updates = this.#updates;
      const callbacks = this.#callbacks;
      const runs = [...this.#runs];
      const steps = [...this.#steps];
      this.#events = [];
      this.#updates = [];
      this.#callbacks = [];
      this.#runs.clear();
      this.#steps.clear();
      // Live records, not copies: a store captures the batch synchronously in write(), and nothing
      // changes them between here and that call, so they agree with the batch's events.
      const batch: StoreBatch = { runs, steps, events };
      this.#attachStatistics(batch);
      if (runs.length || steps.length || events.length || batch.statistics !== undefined) {
        try {
          await this.#store.write(batch);
          this.#healthy = true;
          failures = 0;
        } catch (error) {
          if (this.#closed) return;
          // Nothing of the batch is published. Its events go back to the front of the queue and its
          // records back to the dirty sets, so the next attempt writes them with everything recorded
          // meanwhile: records always travel with every event up to their state.
          this.#healthy = false;
          this.#onWriteError(error, ++failures);
          this.#events = [...events, ...this.#events];
          this.#updates = [...updates, ...this.#updates];
          this.#callbacks = [...callbacks, ...this.#callbacks];
          for (const run of runs) this.#runs.add(run);
          for (const step of steps) this.#steps.add(step);
          if (batch.statistics !== undefined) {
            this.#writtenStatisticsVersion = -1;
            this.#statisticsDue = true;
          }
          const delay = RETRY_DELAYS_MS[Math.min(failures - 1, RETRY_DELAYS_MS.length - 1)] as number;
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
      }
      let topic = '';
      let topicRun = '';
      for (const event of events) {
        if (event.runId !== topicRun) {
          topicRun = event.runId;
          topic = runTopic(topicRun);
        }
        this.#bus.publish(topic as `run:${string}`, event);
      }
      for (const update of updates) this.#bus.publish('run.updates', update);
      for (const callback of callbacks) callback();
    }
  }

  #statisticsChanged(): boolean {
    return this.#statistics !== undefined && this.#statistics.version() !== this.#writtenStatisticsVersion;
  }

  #attachStatistics(batch: StoreBatch): void {
    const stats = this.#statistics;
    if (!stats || !this.#statisticsChanged()) return;
    // A snapshot costs tens of µs, so under load at most one per interval goes out; a timer makes sure
    // the last change is written even if the engine then goes idle.
    // A batch in which runs end always carries the snapshot, so that run counts after a crash agree
    // exactly with the stored runs; agent call counters in between may lag by one interval.
    const runsEnded = batch.runs.some((run) => run.status !== 'RUNNING');
    const wait = this.#statisticsWrittenAt + stats.minIntervalMs - Date.now();
    if (!this.#statisticsDue && !runsEnded && wait > 0) {
      this.#statisticsTimer ??= setTimeout(() => {
        this.#statisticsTimer = null;
        this.#statisticsDue = true;
        this.#schedule();
      }, wait);
      this.#statisticsTimer.unref?.();
      return;
    }
    batch.statistics = stats.snapshot();
    this.#writtenStatisticsVersion = stats.version();
    this.#statisticsWrittenAt = Date.now();
    this.#statisticsDue = false;
  }
}
