/**
 * Engine defects first seen through the gateway, kept as regression tests: shutting down during a
 * store outage, and statistics written by a shutdown whose first write failed.
 */

import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../src/agents/registry.ts';
import { Orchestrator } from '../../src/engine/index.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { held, ScriptedAgent } from './support/agents.ts';
import { startHarness } from './support/harness.ts';
import { startRun } from './support/runs.ts';

const workflow = {
  id: 'w',
  name: 'W',
  pattern: 'SEQUENTIAL',
  steps: [{ id: 'a', agent: 'worker', action: 'run' }],
};

describe('engine defects seen through the gateway', () => {
  // Through a database outage, stop() (which SIGTERM calls) must still resolve: it gives up writing after
  // its flush timeout and says what it could not write; the next start marks the run INTERRUPTED from
  // the store.
  it('gateway.close() resolves while the store refuses writes', async () => {
    const faults = { failWrites: false };
    const worker = new ScriptedAgent('worker', { behaviour: held });
    const h = await startHarness({ agents: [worker], workflows: [workflow], faults });
    await startRun(h.gateway.url, 'w');
    await worker.call(1);
    faults.failWrites = true;
    const closing = h.gateway.close({ graceMs: 0, flushTimeoutMs: 200 }).then(() => 'closed' as const);
    try {
      const deadline = new Promise<'still closing'>((resolve) =>
        setTimeout(() => resolve('still closing'), 1_000),
      );
      expect(await Promise.race([closing, deadline])).toBe('closed');
    } finally {
      // Let the engine's next retry succeed, so that the test leaves nothing running.
      faults.failWrites = false;
      await closing;
    }
  });

  // A failed write must not drop the final statistics snapshot: the retry still carries it, so after a
  // restart the agent calls made since the last snapshot are counted.
  it('statistics survive a restart when a write failed during shutdown', async () => {
    const faults = { failWrites: false };
    const h = await startHarness({
      agents: [new ScriptedAgent('worker')],
      workflows: [workflow],
      faults,
      file: true,
    });
    await h.engine.executeWorkflow('w', {}, { wait: true });
    // Counted after the run's snapshot: written at the latest by stop().
    await h.engine.executeAgent({ agent: 'worker', action: 'run', input: {} });
    expect(h.engine.agentStatistics('worker').calls).toBe(2);
    faults.failWrites = true;
    // The first attempt fails; the engine retries 50 ms later, when the store answers again.
    void h.logged('error', /run store write failed \(attempt 1\)/).then(() => {
      faults.failWrites = false;
    });
    await h.gateway.close({ graceMs: 0 });
    expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(1);

    const store = await openRunStore(h.storeUrl, { instanceId: 'gateway-test' });
    try {
      const quiet = { info() {}, warn() {}, error() {} };
      const restarted = await Orchestrator.start({ store, agents: new AgentRegistry(), logger: quiet });
      expect(restarted.agentStatistics('worker').calls).toBe(2);
      await restarted.stop();
    } finally {
      await store.close();
    }
  });
});
