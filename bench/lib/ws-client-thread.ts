/**
 * One worker thread of `openSubscribers` (bench/lib/ws-clients.ts): opens its share of the clients,
 * reports their counts every 50 ms, and answers `record`, `stop` (with the window it recorded, its
 * latencies transferred) and `close`.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { openSubscribersHere, type PoolOptions } from './ws-clients.ts';

const port = parentPort;
if (port === null) throw new Error('ws-client-thread.ts runs as a worker thread of bench/lib/ws-clients.ts');

try {
  const pool = await openSubscribersHere(workerData as PoolOptions);
  const report = () =>
    port.postMessage({
      type: 'counts',
      delivered: pool.delivered,
      errors: pool.errors,
      firstError: pool.firstError,
      completed: pool.completed,
    });
  const reporting = setInterval(report, 50);
  port.on('message', async (message: { type: string }) => {
    if (message.type === 'record') pool.record();
    else if (message.type === 'stop') {
      const window = await pool.stopRecording();
      report();
      port.postMessage({ type: 'window', ...window }, [window.latencies.buffer as ArrayBuffer]);
    } else if (message.type === 'close') {
      clearInterval(reporting);
      await pool.close();
      port.postMessage({ type: 'closed' });
    }
  });
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
