/**
 * `npm run bench [-- --short] [--only <name>[,<name>]] [--json <file>] [--steady <minutes>] [--write-docs]`:
 * runs the benchmarks, prints a table per benchmark, and writes the results as JSON
 * (bench/results/latest.json by default) with the machine, the Node version, the load and the command.
 * `--write-docs` also refreshes the results tables of docs/benchmarks.md (bench/lib/docs.ts).
 *
 * Benchmarks: engine, http, fanout, history, memory (docs/benchmarks.md says what each measures).
 * `--steady` sets the length of the memory row's steady-load phase (default 10 minutes, 5 s with
 * --short).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bench, BenchResult } from './bench-result.ts';
import { type RunInfo, sectionOf, writeDocsResults } from './lib/docs.ts';

const BENCHES: Record<string, () => Promise<{ default: Bench }>> = {
  engine: () => import('./engine.ts'),
  http: () => import('./http.ts'),
  fanout: () => import('./fanout.ts'),
  history: () => import('./history.ts'),
  memory: () => import('./memory.ts'),
};

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'string', default: join(import.meta.dirname, 'results', 'latest.json') },
    steady: { type: 'string' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const steadyMinutes = values.steady === undefined ? undefined : Number(values.steady);
if (steadyMinutes !== undefined && !(steadyMinutes > 0)) {
  console.error(`--steady takes a number of minutes, got "${values.steady}"`);
  process.exit(2);
}

const selected = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(BENCHES);
for (const name of selected) {
  if (!BENCHES[name]) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
const machineText = `${machine.cpu} × ${machine.cores}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`;
const command = [
  'npm run bench --',
  values.short ? '--short' : '',
  values.only ? `--only ${values.only}` : '',
  values.steady ? `--steady ${values.steady}` : '',
]
  .filter(Boolean)
  .join(' ');
const load1 = () => loadavg()[0]!.toFixed(1);
console.log(
  `${command}\n${machineText}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);

const started = Date.now();
const results: BenchResult[] = [];
const runs: { name: string; date: string; seconds: number; load: string }[] = [];
const sections = new Map<string, string>();
for (const name of selected) {
  const bench = (await BENCHES[name]!()).default;
  const t = Date.now();
  const loadBefore = load1();
  const figures = await bench({
    short: values.short,
    ...(steadyMinutes === undefined ? {} : { steadyMinutes }),
  });
  const info: RunInfo = {
    command,
    date: new Date(t).toISOString(),
    machine: machineText,
    load: `${loadBefore} → ${load1()}`,
    seconds: (Date.now() - t) / 1000,
  };
  results.push(...figures);
  runs.push({ name, date: info.date, seconds: info.seconds, load: info.load });
  sections.set(name, sectionOf(name, info, figures));
  console.table(
    figures.map((r) => ({
      case: r.case,
      metric: r.metric,
      value: `${r.value} ${r.unit}`,
      floor: r.floor === undefined ? '' : `${r.floor} ${r.unit}`,
      ratio: r.ratio ?? '',
      target: r.target ?? '',
      met: r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    })),
  );
  console.log(`${name}: ${info.seconds.toFixed(1)} s; load average ${info.load}\n`);
}

const seconds = (Date.now() - started) / 1000;
mkdirSync(dirname(values.json), { recursive: true });
writeFileSync(
  values.json,
  JSON.stringify(
    { command, machine, date: new Date(started).toISOString(), seconds, runs, results },
    null,
    2,
  ),
);
console.log(`${seconds.toFixed(1)} s in all; results written to ${values.json}`);
if (values['write-docs']) {
  const doc = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
  writeDocsResults(doc, sections, Object.keys(BENCHES));
  console.log(`results tables refreshed in ${doc}`);
}
