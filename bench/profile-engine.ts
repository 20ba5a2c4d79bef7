/**
 * `node bench/profile-engine.ts [seq3|par10|mr100] [concurrency] [store URL] [seconds]`: one case of the
 * engine benchmark, for profiling. It reports the process CPU per step (median of rounds, as
 * bench/engine.ts measures it, floor not subtracted) and the bytes allocated per step, counted by V8's
 * sampling heap profiler with collected objects included: unlike CPU time on a shared machine, that
 * figure barely moves between runs, so it shows what a change to the hot path saves. Run it under
 * `node --cpu-prof` for a CPU profile. Defaults: seq3, 100 runs at once, `memory:`, 5 s.
 *
 * The store URL `discard:` is a `memory:` store whose `write()` keeps nothing: the engine alone, for
 * telling its cost from that of the history a store keeps.
 */

import { Session } from 'node:inspector/promises';
import { MemoryRunStore } from '../src/store/memory-run-store.ts';
import { CASES, startBenchEngine } from './engine.ts';

class DiscardingRunStore extends MemoryRunStore {
  override async write(): Promise<void> {}
}

const [workflowId = 'seq3', concurrencyText = '100', storeUrl = 'memory:', secondsText = '5'] =
  process.argv.slice(2);
const benchCase = CASES.find((c) => c.workflow === workflowId);
const concurrency = Number(concurrencyText);
const seconds = Number(secondsText);
if (benchCase === undefined || !(concurrency >= 1) || !(seconds > 0)) {
  console.error(
    `usage: node bench/profile-engine.ts [${CASES.map((c) => c.workflow).join('|')}] [concurrency] [store URL | discard:] [seconds]`,
  );
  process.exit(2);
}
const { steps, input } = benchCase;

const { store, engine } = await startBenchEngine(
  storeUrl === 'discard:' ? new DiscardingRunStore() : storeUrl,
);
const once = () => engine.executeWorkflow(workflowId, input, { wait: true });
const runsPerRound = Math.max(1, Math.round(30_000 / steps / concurrency)) * concurrency;

async function round(): Promise<void> {
  for (let done = 0; done < runsPerRound; done += concurrency) {
    if (concurrency === 1) await once();
    else await Promise.all(Array.from({ length: concurrency }, once));
  }
}

await round(); // warm-up
const cpuPerStep: number[] = [];
const until = Date.now() + seconds * 1000;
while (Date.now() < until) {
  const cpu = process.cpuUsage();
  await round();
  const used = process.cpuUsage(cpu);
  cpuPerStep.push((used.user + used.system) / runsPerRound / steps);
}
cpuPerStep.sort((a, b) => a - b);

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await round();
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}
const allocatedBelow = (node: ProfileNode): number =>
  node.children.reduce((sum, child) => sum + allocatedBelow(child), node.selfSize);
const allocated = allocatedBelow(profile.head);

const median = cpuPerStep[Math.floor(cpuPerStep.length / 2)] as number;
console.log(
  `${workflowId} ×${concurrency} ${storeUrl}: CPU ${median.toFixed(2)} µs/step (median of ${cpuPerStep.length} rounds of ${runsPerRound} runs, best ${(cpuPerStep[0] as number).toFixed(2)}); allocated ${Math.round(allocated / runsPerRound / steps)} B/step`,
);
await engine.stop();
await store.close();
