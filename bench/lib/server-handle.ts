/**
 * A server of bench/lib/servers.ts seen from the benchmark: in a child process (the default), or in
 * the benchmark's own process when `ORQUESTRA_BENCH_SAME_PROCESS=1` (to measure what sharing the load
 * generator's event loop costs).
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extraChildFlags, forkChild } from './child.ts';
import type { ServerKind, Usage } from './servers.ts';
import { startServer } from './servers.ts';

export interface ServerHandle {
  url: string;
  wsUrl: string;
  /** `child process` or `same process`. */
  where: string;
  /**
   * CPU time (user + system, ms) the server's process has used so far, read from outside (Linux
   * /proc) so that it works while the server's event loop is too busy to answer IPC.
   */
  cpuTimeMs(): number;
  subscribers(args: { runId?: string }): Promise<number>;
  driveUpdates(args: { runsPerSecond: number; seconds: number }): Promise<{ runs: number; updates: number }>;
  startEventRun(args: { items: number; ms: number }): Promise<{ runId: string }>;
  openGate(): Promise<void>;
  dropped(): Promise<number>;
  usageStart(): Promise<void>;
  usageEnd(): Promise<Usage>;
  close(): Promise<void>;
  /** Ends it at once: the child is killed (in the same process, this is `close`). */
  kill(): Promise<void>;
}

export const sameProcess = (): boolean => process.env.ORQUESTRA_BENCH_SAME_PROCESS === '1';

export async function openServer(kind: ServerKind): Promise<ServerHandle> {
  if (sameProcess()) {
    const server = await startServer(kind);
    return {
      url: server.url,
      wsUrl: server.wsUrl,
      where: 'same process',
      cpuTimeMs: () => {
        const used = process.cpuUsage();
        return (used.user + used.system) / 1000;
      },
      subscribers: async (args) => server.subscribers(args),
      driveUpdates: (args) => server.driveUpdates(args),
      startEventRun: (args) => server.startEventRun(args),
      openGate: async () => server.openGate(),
      dropped: async () => server.dropped(),
      usageStart: async () => server.usageStart(),
      usageEnd: async () => server.usageEnd(),
      close: () => server.close(),
      kill: () => server.close(),
    };
  }
  const child = await forkChild(join(import.meta.dirname, 'server-child.ts'));
  try {
    const { url, wsUrl } = await child.request<{ url: string; wsUrl: string }>('start', kind);
    return {
      url,
      wsUrl,
      where: 'child process',
      cpuTimeMs: () => procCpuTimeMs(child.pid),
      subscribers: (args) => child.request('subscribers', args),
      driveUpdates: (args) => child.request('driveUpdates', args),
      startEventRun: (args) => child.request('startEventRun', args),
      openGate: () => child.request('openGate'),
      dropped: () => child.request('dropped'),
      usageStart: () => child.request('usageStart'),
      usageEnd: () => child.request('usageEnd'),
      close: () => child.close(),
      // A profiled child must exit normally to write its profile, however long its backlog takes.
      kill: () => (extraChildFlags().length ? child.close() : child.kill()),
    };
  } catch (error) {
    await child.close();
    throw error;
  }
}

let ticksPerSecond: number | undefined;

/** utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function procCpuTimeMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}
