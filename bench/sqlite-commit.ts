/**
 * `node bench/sqlite-commit.ts [seq3|par10|mr100]`: what one SQLite commit of the engine writes, and
 * what that costs on this machine. It explains the floor of the engine benchmark's SQLite rows at one
 * run at a time, where every run is a commit of its own (`wait: true` returns once the run is stored).
 *
 * 1. The engine's write path: runs of the case one at a time on a fresh database, then the WAL's
 *    frames (one per page written) counted by the B-tree each page belongs to (SQLite's `dbstat`).
 * 2. The cost of a frame: a bare `node:sqlite` loop committing one small row into each of K tables,
 *    for several K, in the same WAL mode and `synchronous = NORMAL`.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteRunStore } from '../src/store/sqlite-run-store.ts';
import { CASES, startBenchEngine } from './engine.ts';

const workflowId = process.argv[2] ?? 'seq3';
const benchCase = CASES.find((c) => c.workflow === workflowId);
if (benchCase === undefined) {
  console.error(`usage: node bench/sqlite-commit.ts [${CASES.map((c) => c.workflow).join('|')}]`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'orquestra-sqlite-commit-'));
try {
  await framesPerRun(join(dir, 'engine.db'));
  costPerFrame(join(dir, 'bare.db'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** A WAL frame: the page it holds, and whether it ends a transaction. */
interface Frame {
  page: number;
  commit: boolean;
}

/** The frames of the WAL's current generation (a reset WAL keeps stale frames past its end). */
function walFrames(path: string): Frame[] {
  const wal = readFileSync(path);
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const frames: Frame[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt[0] || wal.readUInt32BE(at + 12) !== salt[1]) break;
    frames.push({ page: wal.readUInt32BE(at), commit: wal.readUInt32BE(at + 4) !== 0 });
  }
  return frames;
}

async function framesPerRun(path: string): Promise<void> {
  const { steps, input } = benchCase as (typeof CASES)[number];
  const store = new SqliteRunStore({ path, checkpointInBackground: false });
  await store.migrate();
  const { engine } = await startBenchEngine(store);
  const once = () => engine.executeWorkflow(workflowId, input, { wait: true });
  for (let i = 0; i < 200; i++) await once();
  const side = new DatabaseSync(path);
  side.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  // A read transaction begun on the empty WAL keeps the store's automatic checkpoints from
  // restarting it, so that every frame of the runs below stays in the file.
  side.exec('BEGIN');
  side.prepare('SELECT count(*) FROM runs').get();
  const runs = Math.ceil(2_000 / steps);
  for (let i = 0; i < runs; i++) await once();
  const frames = walFrames(`${path}-wal`);
  side.exec('COMMIT');
  const commits = frames.filter((frame) => frame.commit).length;
  const treeOf = new Map<number, string>();
  for (const row of side.prepare('SELECT name, pageno FROM dbstat').all()) {
    treeOf.set(row.pageno as number, row.name === 'sqlite_schema' ? 'page 1 (header)' : (row.name as string));
  }
  side.close();
  await engine.stop();
  await store.close();

  const perTree = new Map<string, number>();
  for (const { page } of frames) {
    const tree = treeOf.get(page) ?? 'free pages';
    perTree.set(tree, (perTree.get(tree) ?? 0) + 1);
  }
  console.log(
    `${workflowId}, one run at a time: ${runs} runs, ${commits} commits, ${(frames.length / commits).toFixed(1)} WAL frames per commit`,
  );
  for (const [tree, count] of [...perTree].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${tree.padEnd(40)} ${(count / commits).toFixed(2)}`);
  }
}

function costPerFrame(path: string): void {
  console.log(
    'bare node:sqlite, WAL, synchronous = NORMAL: one 100-byte row into each of K tables per commit',
  );
  for (const tables of [1, 4, 16]) {
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    const db = new DatabaseSync(path);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    const inserts = Array.from({ length: tables }, (_, k) => {
      db.exec(`CREATE TABLE t${k} (id INTEGER PRIMARY KEY, body TEXT)`);
      return db.prepare(`INSERT INTO t${k} (body) VALUES (?)`);
    });
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const body = 'x'.repeat(100);
    const commits = 20_000;
    const cpu = process.cpuUsage();
    for (let i = 0; i < commits; i++) {
      begin.run();
      for (const insert of inserts) insert.run(body);
      commit.run();
    }
    const used = process.cpuUsage(cpu);
    db.close();
    const perCommit = (used.user + used.system) / commits;
    console.log(
      `  K = ${String(tables).padStart(2)}: ${perCommit.toFixed(1)} µs CPU per commit (${(used.system / commits).toFixed(1)} in the kernel)`,
    );
  }
}
