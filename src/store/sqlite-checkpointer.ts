/**
 * Runs SQLite WAL checkpoints in a worker thread (see `sqlite-checkpoint-worker.ts` for why).
 *
 * The main connection keeps a high automatic-checkpoint threshold as a backstop, so the WAL stays
 * bounded even if the worker dies or falls behind.
 */

import { Worker } from 'node:worker_threads';
import type { CheckpointWorkerData } from './sqlite-checkpoint-worker.ts';

export class BackgroundCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(path: string, intervalMs: number) {
    const workerData: CheckpointWorkerData = { path, intervalMs };
    this.#worker = new Worker(new URL('./sqlite-checkpoint-worker.ts', import.meta.url), { workerData });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    // A failed worker only means checkpoints fall back to the main connection; never crash for it.
    this.#worker.on('error', () => {});
    this.#worker.unref();
  }

  /** Stops the worker and closes its connection; resolves once it has exited. Idempotent. */
  stop(): Promise<void> {
    // Referenced again so that the process waits for the worker to let go of the database.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    return this.#exited;
  }
}
