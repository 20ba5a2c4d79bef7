/**
 * Worker thread body: checkpoints one SQLite database's WAL from its own connection.
 *
 * A checkpoint copies the pages appended to the WAL back into the database file and fsyncs both. Left
 * to SQLite's automatic checkpoint, that work lands inside whichever commit crosses the threshold, on
 * the engine's event loop, and measured as half the cost of a write batch. Here it runs beside it.
 * PASSIVE never blocks the writer and never waits for it; what it cannot copy now it copies next time.
 */

import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

const { path, intervalMs } = workerData as CheckpointWorkerData;
const db = new DatabaseSync(path, { timeout: 100 });
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // Locked by a checkpoint of the main connection's backstop, say: the next tick will do.
  }
}, intervalMs);

parentPort?.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
