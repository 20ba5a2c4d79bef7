/**
 * Child process entry: one server of bench/lib/servers.ts, driven over IPC by the http and fanout rows.
 */

import { serve } from './child.ts';
import { type BenchServer, type ServerKind, startServer } from './servers.ts';

let server: BenchServer | null = null;
const running = (): BenchServer => {
  if (!server) throw new Error('no server started');
  return server;
};

serve(
  {
    start: async (kind: ServerKind) => {
      server = await startServer(kind);
      return { url: server.url, wsUrl: server.wsUrl };
    },
    subscribers: (args: { runId?: string }) => running().subscribers(args),
    driveUpdates: (args: { runsPerSecond: number; seconds: number }) => running().driveUpdates(args),
    startEventRun: (args: { items: number; ms: number }) => running().startEventRun(args),
    openGate: () => running().openGate(),
    dropped: () => running().dropped(),
    usageStart: () => running().usageStart(),
    usageEnd: () => running().usageEnd(),
    memory: () => process.memoryUsage(),
  },
  async () => {
    await server?.close();
  },
);
