/**
 * A real gateway process for the crash test: the built-in agents and shipped workflows, plus a `held`
 * workflow whose only step waits until its run is cancelled, so that a run is surely in flight when
 * the process is killed. Configured by ORQUESTRA_* variables; prints `{"url": …}` once listening.
 */

import { builtinAgents, startOrquestra } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';

const config = loadConfig();
const agents = builtinAgents(config.dataDir);
agents.register({
  name: 'hold',
  description: 'answers only when its call is aborted',
  capabilities: ['hold'],
  actions: [{ name: 'wait', description: 'waits for the abort signal' }],
  process: (_message, context) =>
    new Promise((_resolve, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
    }),
});

const orquestra = await startOrquestra(
  { ...config, port: 0 },
  {
    agents,
    workflows: [
      {
        id: 'held',
        name: 'Held',
        pattern: 'SEQUENTIAL',
        steps: [{ id: 'wait', agent: 'hold', action: 'wait' }],
      },
    ],
  },
);
process.stdout.write(`${JSON.stringify({ url: orquestra.gateway.url })}\n`);
