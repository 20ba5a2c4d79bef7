/**
 * runEvents on the real stores: a subscriber that joins mid-run gets the stored events, then the live
 * ones, with no gap and no duplicate at the seam, even when events are committed and published while
 * its read of the store is still pending (forced here: the read is held until two more events have
 * gone out). Both ways a read can lag are tried: a slow query that reads late, and a fast one whose
 * answer arrives late. Runs on SQLite always, and on PostgreSQL when ORQUESTRA_TEST_POSTGRES_URL is set.
 */

import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { openRunStore } from '../../src/store/open-run-store.ts';
import { startEngine } from '../support/engine.ts';
import { drain, waitForEnd } from '../support/events.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';
import { controlled, deferred, TestAgent } from '../support/test-agent.ts';

const POSTGRES = process.env.ORQUESTRA_TEST_POSTGRES_URL;

const stores = [
  {
    name: 'SQLite',
    open: async () => ({
      url: `sqlite:${join(temporaryDirectory('orquestra-seam-'), 'runs.db')}`,
      drop: async () => {},
    }),
  },
  ...(POSTGRES
    ? [
        {
          name: 'PostgreSQL',
          open: async () => {
            const schema = `seam_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
            return {
              url: `${POSTGRES}${POSTGRES.includes('?') ? '&' : '?'}schema=${schema}`,
              drop: async () => {
                const client = new pg.Client({ connectionString: POSTGRES });
                await client.connect();
                await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
                await client.end();
              },
            };
          },
        },
      ]
    : []),
];

const triples = (events: RunEvent[]) => events.map((e) => [e.seq, e.type, e.stepId]);

describe.each(stores)('the runEvents seam on $name', ({ open }) => {
  it.each(['before', 'after'] as const)(
    'has no gap or duplicate when events arrive during a %s-held read',
    async (mode) => {
      const { url, drop } = await open();
      const agent = new TestAgent('a', { behaviours: { run: controlled() } });
      const { orchestrator, store, bus } = await startEngine({
        agents: [agent],
        store: await openRunStore(url),
      });
      try {
        await orchestrator.registerWorkflow({
          id: 'w',
          name: 'w',
          pattern: 'SEQUENTIAL',
          steps: ['one', 'two', 'three'].map((id) => ({ id, agent: 'a', action: 'run' })),
        });
        const run = await orchestrator.executeWorkflow('w', {});
        const complete = async (n: number) => {
          await agent.waitForCalls(n + 1);
          agent.calls[n]?.resolve(n);
        };
        await complete(0);
        await bus.waitForPublished(run.id, 4);

        const gate = deferred();
        store.readGate = gate.promise;
        store.readMode = mode;
        const subscribing = orchestrator.runEvents(run.id, 1);
        // Step two completes and step three starts: events 5 and 6 are committed and published while the
        // subscriber's read of the store is held.
        await complete(1);
        await bus.waitForPublished(run.id, 6);
        expect(store.readsWaiting).toBe(1);
        store.readGate = null;
        gate.resolve();
        const stream = await subscribing;
        await complete(2);
        await waitForEnd(orchestrator, run.id);

        expect(triples(await drain(stream))).toEqual([
          [2, 'STEP_STARTED', 'one'],
          [3, 'STEP_COMPLETED', 'one'],
          [4, 'STEP_STARTED', 'two'],
          [5, 'STEP_COMPLETED', 'two'],
          [6, 'STEP_STARTED', 'three'],
          [7, 'STEP_COMPLETED', 'three'],
          [8, 'RUN_COMPLETED', null],
        ]);
      } finally {
        await orchestrator.stop();
        await store.close();
        await drop();
      }
    },
  );
});
