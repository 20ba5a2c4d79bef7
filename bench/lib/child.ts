/**
 * Benchmark child processes: the system under test runs in a process of its own, so that the load
 * generator (autocannon, the WebSocket clients) does not share its event loop, heap or GC.
 *
 * The parent sends `{ id, command, args }` over the IPC channel; the child answers `{ id, value }` or
 * `{ id, error }`. `serve()` is the child's side.
 */

import { type ChildProcess, fork } from 'node:child_process';

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

export interface BenchChild {
  readonly pid: number;
  request<T>(command: string, args?: unknown): Promise<T>;
  /** Asks the child to exit (command `exit`), then waits for it; kills it if it does not go in 10 s
   * (120 s when profiled). */
  close(): Promise<void>;
  /** SIGKILL, for a child too busy to stop quickly (e.g. a server with a backlog nobody will read). */
  kill(): Promise<void>;
}

/** Extra Node flags for every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the servers. */
export const extraChildFlags = (): string[] =>
  (process.env.ORQUESTRA_BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);

/** Forks `script` (a .ts file run by Node directly) with the given Node flags. */
export async function forkChild(script: string, execArgv: string[] = []): Promise<BenchChild> {
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--disable-warning=ExperimentalWarning', ...execArgv, ...extraChildFlags()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of pending.values())
        reject(new Error(`bench child ${script} exited (${signal ?? code}) before answering`));
      pending.clear();
      resolve();
    });
  });
  child.on('message', (message: Reply) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiting.reject(new Error(`bench child: ${message.error}`));
    else waiting.resolve(message.value);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return {
    pid: child.pid as number,
    request<T>(command: string, args?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`bench child ${script} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, command, args });
      });
    },
    async close() {
      if (exited) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), extraChildFlags().length ? 120_000 : 10_000);
      child.send({ id: 0, command: 'exit' });
      await exit;
      clearTimeout(timer);
    },
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}

export type Handlers = Record<string, (args: never) => unknown>;

/** The child's side: answers each request with its handler's result; `exit` runs `onExit` and exits. */
export function serve(handlers: Handlers, onExit: () => Promise<void> = async () => {}): void {
  process.on('message', async (message: { id: number; command: string; args: unknown }) => {
    if (message.command === 'exit') {
      await onExit().catch((error: unknown) => console.error('bench child: exit failed', error));
      process.disconnect();
      process.exit(0);
    }
    const handler = handlers[message.command];
    try {
      if (!handler) throw new Error(`unknown command ${message.command}`);
      const value = await handler(message.args as never);
      process.send?.({ id: message.id, value });
    } catch (error) {
      process.send?.({ id: message.id, error: error instanceof Error ? error.stack : String(error) });
    }
  });
  // The parent going away (Ctrl-C) takes the child with it.
  process.on('disconnect', () => process.exit(0));
}
