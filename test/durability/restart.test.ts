/**
 * Nothing a user saw is lost when the gateway dies: a real gateway process runs workflows on a real
 * database, is killed with SIGKILL (no shutdown at all) while a run is in flight, and is started again
 * on the same database. Every run, every event and the statistics are still there; the run that was
 * in flight ends INTERRUPTED with a terminal event; finished runs replay over runEvents and complete.
 * Runs on SQLite always, and on PostgreSQL when ORQUESTRA_TEST_POSTGRES_URL is set.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { RunsQuery, RunWithEventsQuery, StatisticsQuery } from '../../src/client/operations.ts';
import { followWs, getRun, startRun } from '../gateway/support/runs.ts';
import { connectWs, query } from '../gateway/support/transports.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';

const POSTGRES = process.env.ORQUESTRA_TEST_POSTGRES_URL;
const GATEWAY = join(import.meta.dirname, 'gateway-process.ts');

/** A few contracts, so that the investigation workflows run in milliseconds. */
const CONTRACTS = Array.from({ length: 12 }, (_, i) => ({
  id: `c${i + 1}`,
  agency: { code: i % 2 ? '158132' : '158448', name: i % 2 ? 'Reitoria' : 'Aquidauana' },
  supplier: { id: `0${i % 3}.000.000/0001-0${i % 3}`, name: `Fornecedor ${i % 3}` },
  value: i === 11 ? 480_000 : 10_000 + i * 1_250,
  referenceValue: i === 11 ? 50_000 : 10_000 + i * 1_200,
  date: `2024-0${(i % 9) + 1}-1${i % 9}`,
  description: `Aquisição de material de consumo, lote ${i}`,
  modality: i % 4 === 0 ? 'DISPENSA' : 'PREGAO',
}));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts a gateway process on the database and resolves with its URL once it listens. */
async function startGateway(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [GATEWAY], {
    env: { ...process.env, ...env, ORQUESTRA_PORT: '0', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code} before listening: ${stderr}`)),
    );
  });
  return { url, child };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function eventsOf(url: string, runId: string) {
  const data = await query(url, RunWithEventsQuery, { id: runId, afterSeq: 0, first: 10_000 });
  return data.run?.events ?? [];
}

const stores: { name: string; url: () => Promise<{ url: string; drop(): Promise<void> }> }[] = [
  {
    name: 'SQLite',
    url: async () => ({
      url: `sqlite:${join(temporaryDirectory('orquestra-restart-'), 'runs.db')}`,
      drop: async () => {},
    }),
  },
];
if (POSTGRES) {
  stores.push({
    name: 'PostgreSQL',
    url: async () => {
      const schema = `restart_${process.pid}_${Date.now()}`;
      const separator = POSTGRES.includes('?') ? '&' : '?';
      return {
        url: `${POSTGRES}${separator}schema=${schema}`,
        drop: async () => {
          const client = new pg.Client({ connectionString: POSTGRES });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  });
}

describe.each(stores)('a gateway killed with SIGKILL, on $name', ({ url: database }) => {
  it('restarts with every run, event and statistic, and ends the run in flight INTERRUPTED', async () => {
    const { url: databaseUrl, drop } = await database();
    const env = {
      ORQUESTRA_DATABASE_URL: databaseUrl,
      ORQUESTRA_DATA_DIR: temporaryDirectory('orquestra-restart-data-'),
    };
    try {
      const first = await startGateway(env);
      const finished: string[] = [];
      for (const workflowId of ['default_investigation', 'parallel_screening', 'case_publication']) {
        const runId = await startRun(first.url, workflowId, { contracts: CONTRACTS });
        const connection = connectWs(first.url.replace(/^http/, 'ws'));
        const events = await followWs(connection, runId).events.all();
        await connection.dispose();
        expect(events.at(-1)?.type).toBe('RUN_COMPLETED');
        finished.push(runId);
      }

      // A run in flight: its only step has started and waits for an abort that a SIGKILL never sends.
      const held = await startRun(first.url, 'held');
      const connection = connectWs(first.url.replace(/^http/, 'ws'));
      await followWs(connection, held).events.until('STEP_STARTED', 'wait');
      await connection.dispose();

      const before = {
        runs: await Promise.all(finished.map((id) => getRun(first.url, id))),
        events: await Promise.all([...finished, held].map((id) => eventsOf(first.url, id))),
        stats: (await query(first.url, StatisticsQuery)).stats,
      };
      expect(before.stats.runs.total).toBe(3);

      await kill(first.child);
      const second = await startGateway(env);

      // Every finished run and every event, unchanged.
      for (const [i, id] of finished.entries()) {
        expect(await getRun(second.url, id)).toEqual(before.runs[i]);
        expect(await eventsOf(second.url, id)).toEqual(before.events[i]);
      }
      // The run in flight: everything it logged, then its open step cancelled and the terminal event.
      const heldAfter = await eventsOf(second.url, held);
      expect(heldAfter.slice(0, 2)).toEqual(before.events[3]);
      expect(heldAfter.map((e) => [e.seq, e.type, e.stepId])).toEqual([
        [1, 'RUN_STARTED', null],
        [2, 'STEP_STARTED', 'wait'],
        [3, 'STEP_FAILED', 'wait'],
        [4, 'RUN_INTERRUPTED', null],
      ]);
      const interrupted = await getRun(second.url, held);
      expect(interrupted.status).toBe('INTERRUPTED');
      expect(interrupted.steps.map((s) => s.status)).toEqual(['CANCELLED']);

      // Statistics: the same counts, plus the interrupted run.
      const after = (await query(second.url, StatisticsQuery)).stats;
      expect(after.runs.total).toBe(before.stats.runs.total + 1);
      expect(after.runs.succeeded).toBe(before.stats.runs.succeeded);
      expect(after.runs.failed).toBe(before.stats.runs.failed + 1);
      expect((after.runs.byStatus as Record<string, number>).INTERRUPTED).toBe(1);
      expect(after.agents).toEqual(before.stats.agents);

      // The history lists all four; a finished run replays over runEvents and completes.
      const history = await query(second.url, RunsQuery, { first: 10 });
      expect(history.runs.totalCount).toBe(4);
      expect(history.runs.edges.map((e) => e.node.runId).sort()).toEqual([...finished, held].sort());
      const replay = connectWs(second.url.replace(/^http/, 'ws'));
      const replayed = await followWs(replay, finished[0] as string).events.all();
      await replay.dispose();
      expect(replayed.map((e) => e.seq)).toEqual(before.events[0]?.map((e) => e.seq));
      expect(replayed.at(-1)?.type).toBe('RUN_COMPLETED');
      await kill(second.child);
    } finally {
      await drop();
    }
  }, 60_000);
});
