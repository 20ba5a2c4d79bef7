import { beforeAll, describe, expect, it } from 'vitest';
import { type Condition, compileCondition, evaluateCondition } from '../../src/engine/condition.ts';
import type { ValidationIssue } from '../../src/engine/errors.ts';
import type { Orchestrator } from '../../src/engine/orchestrator.ts';
import { startEngine } from '../support/engine.ts';
import { TestAgent } from '../support/test-agent.ts';

let orchestrator: Orchestrator;

beforeAll(async () => {
  ({ orchestrator } = await startEngine({
    agents: [
      new TestAgent('zumbi', { actions: ['detect', 'undo'], capabilities: ['anomaly_detection'] }),
      new TestAgent('anita', { actions: ['analyze'], capabilities: ['anomaly_detection'] }),
    ],
  }));
});

/** The issues a definition is rejected with. */
async function issuesOf(definition: Record<string, unknown>): Promise<readonly ValidationIssue[]> {
  try {
    await orchestrator.registerWorkflow({ id: 'w', name: 'w', ...definition });
  } catch (error) {
    expect(error).toMatchObject({ name: 'ValidationError' });
    return (error as { issues: readonly ValidationIssue[] }).issues;
  }
  throw new Error('the definition was accepted');
}

const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'zumbi',
  action: 'detect',
  ...extra,
});

describe('workflow validation: every problem with its path', () => {
  it('unknown agent', async () => {
    expect(
      await issuesOf({ pattern: 'SEQUENTIAL', steps: [{ id: 'a', agent: 'ghost', action: 'detect' }] }),
    ).toEqual([{ path: 'steps.0.agent', message: 'unknown agent "ghost" (registered: anita, zumbi)' }]);
  });

  it('unknown action', async () => {
    expect(await issuesOf({ pattern: 'SEQUENTIAL', steps: [step('a', { action: 'fly' })] })).toEqual([
      { path: 'steps.0.action', message: 'agent "zumbi" has no action "fly" (it offers: detect, undo)' },
    ]);
  });

  it('unknown fallback agent, and capabilities that no agent offers with the action', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        steps: [
          step('a', { fallbackAgent: 'anita' }),
          { id: 'b', capabilities: ['anomaly_detection', 'flying'], action: 'detect' },
        ],
      }),
    ).toEqual([
      { path: 'steps.0.fallbackAgent', message: 'agent "anita" has no action "detect" (it offers: analyze)' },
      {
        path: 'steps.1.capabilities',
        message: 'no registered agent offers "anomaly_detection", "flying" with action "detect"',
      },
    ]);
  });

  it('a step names exactly one of agent or capabilities', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        steps: [{ id: 'a', action: 'detect' }, step('b', { capabilities: ['anomaly_detection'] })],
      }),
    ).toEqual([
      { path: 'steps.0', message: 'a step names exactly one of "agent" or "capabilities"' },
      { path: 'steps.1', message: 'a step names exactly one of "agent" or "capabilities"' },
    ]);
  });

  it('duplicate step id', async () => {
    expect(await issuesOf({ pattern: 'SEQUENTIAL', steps: [step('a'), step('b'), step('a')] })).toEqual([
      { path: 'steps.2.id', message: 'duplicate step id "a" (also steps.0)' },
    ]);
  });

  it('conditional graph with no path to an end', async () => {
    expect(
      await issuesOf({
        pattern: 'CONDITIONAL',
        steps: [step('a', { next: 'b' }), step('b', { next: { otherwise: 'a' } })],
      }),
    ).toEqual([
      { path: 'steps', message: 'no path from "a" reaches an end: every route loops' },
      { path: 'steps.0.next', message: 'from "a" no path reaches an end' },
      { path: 'steps.1.next', message: 'from "b" no path reaches an end' },
    ]);
  });

  it('unreachable step, route to an unknown step, unknown start, empty route', async () => {
    expect(await issuesOf({ pattern: 'CONDITIONAL', steps: [step('a'), step('orphan')] })).toEqual([
      { path: 'steps.1', message: 'step "orphan" is unreachable from "a"' },
    ]);
    expect(
      await issuesOf({
        pattern: 'CONDITIONAL',
        start: 'zz',
        steps: [step('a', { next: 'nowhere' }), step('b', { next: {} })],
      }),
    ).toEqual([
      { path: 'start', message: 'no step "zz"' },
      { path: 'steps.0.next', message: 'no step "nowhere"' },
      { path: 'steps.1.next', message: 'a route needs "when" entries or an "otherwise"' },
    ]);
  });

  it('saga compensation naming an unknown action (or agent)', async () => {
    expect(
      await issuesOf({
        pattern: 'SAGA',
        steps: [
          step('a', { compensation: { action: 'rollback' } }),
          step('b', { compensation: { action: 'undo', agent: 'nobody' } }),
          {
            id: 'c',
            capabilities: ['anomaly_detection'],
            action: 'detect',
            compensation: { action: 'undo' },
          },
        ],
      }),
    ).toEqual([
      {
        path: 'steps.0.compensation.action',
        message: 'agent "zumbi" has no action "rollback" (it offers: detect, undo)',
      },
      { path: 'steps.1.compensation.agent', message: 'unknown agent "nobody" (registered: anita, zumbi)' },
    ]);
  });

  it('map-reduce without a map step (and other map-reduce shapes)', async () => {
    expect(await issuesOf({ pattern: 'MAP_REDUCE', steps: [step('a', { reduce: true })] })).toEqual([
      { path: 'steps', message: 'a MAP_REDUCE workflow needs a map step (a step with "map")' },
    ]);
    expect(
      await issuesOf({
        pattern: 'MAP_REDUCE',
        steps: [step('r', { reduce: true }), step('m', { map: { items: 'input.x' } })],
      }),
    ).toEqual([
      {
        path: 'steps.0',
        message: 'the reduce step comes right after the map step, last; other steps go before the map step',
      },
    ]);
    expect(
      await issuesOf({ pattern: 'MAP_REDUCE', steps: [step('m', { map: { items: 'input.x' } })] }),
    ).toEqual([
      { path: 'steps', message: 'a MAP_REDUCE workflow needs a reduce step (a step with "reduce": true)' },
    ]);
  });

  it('event-driven step waiting for an event nobody emits; gather beyond the publishers; missing trigger', async () => {
    expect(
      await issuesOf({
        pattern: 'EVENT_DRIVEN',
        trigger: 'go',
        steps: [
          step('a', { on: 'go', emit: 'x' }),
          step('b', { on: 'never' }),
          step('c', { on: 'x', gather: 2 }),
        ],
      }),
    ).toEqual([
      {
        path: 'steps.1.on',
        message: 'no step emits "never" and it is not the trigger, so "b" can never fire',
      },
      { path: 'steps.2.gather', message: 'waits for 2 "x" events but only 1 publisher(s) exist' },
    ]);
    expect(await issuesOf({ pattern: 'EVENT_DRIVEN', steps: [step('a')] })).toEqual([
      { path: 'trigger', message: 'an EVENT_DRIVEN workflow declares the "trigger" event that starts it' },
      { path: 'steps.0.on', message: 'an EVENT_DRIVEN step names the event ("on") that fires it' },
    ]);
  });

  it('event-driven steps that wait on each other in a cycle, so that none can ever fire', async () => {
    expect(
      await issuesOf({
        pattern: 'EVENT_DRIVEN',
        trigger: 'go',
        steps: [
          step('start', { on: 'go' }),
          step('a', { on: 'y', emit: 'x' }),
          step('b', { on: 'x', emit: 'y' }),
        ],
      }),
    ).toEqual([
      {
        path: 'steps.1.on',
        message:
          '"y" is published only by steps that can never fire (they wait on each other), so "a" can never fire',
      },
      {
        path: 'steps.2.on',
        message:
          '"x" is published only by steps that can never fire (they wait on each other), so "b" can never fire',
      },
    ]);
    // A step that waits for a cycle's event cannot fire either; an event with no publisher at all is reported once.
    expect(
      await issuesOf({
        pattern: 'EVENT_DRIVEN',
        trigger: 'go',
        steps: [
          step('a', { on: ['go', 'y'], emit: 'x' }),
          step('b', { on: 'x', emit: 'y' }),
          step('c', { on: ['x', 'none'] }),
        ],
      }),
    ).toEqual([
      {
        path: 'steps.2.on',
        message: 'no step emits "none" and it is not the trigger, so "c" can never fire',
      },
      {
        path: 'steps.0.on',
        message:
          '"y" is published only by steps that can never fire (they wait on each other), so "a" can never fire',
      },
      {
        path: 'steps.1.on',
        message:
          '"x" is published only by steps that can never fire (they wait on each other), so "b" can never fire',
      },
      {
        path: 'steps.2.on',
        message:
          '"x" is published only by steps that can never fire (they wait on each other), so "c" can never fire',
      },
    ]);
  });

  it('pattern-specific fields on the wrong pattern', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        maxConcurrency: 2,
        trigger: 'go',
        steps: [step('a', { compensation: { action: 'undo' }, next: 'a', map: { items: 'x' }, fanIn: true })],
      }),
    ).toEqual([
      {
        path: 'maxConcurrency',
        message: '"maxConcurrency" applies to PARALLEL, FAN_OUT_FAN_IN workflows, not SEQUENTIAL',
      },
      { path: 'trigger', message: '"trigger" applies to EVENT_DRIVEN workflows, not SEQUENTIAL' },
      { path: 'steps.0.compensation', message: '"compensation" applies to SAGA steps, not SEQUENTIAL' },
      { path: 'steps.0.next', message: '"next" applies to CONDITIONAL steps, not SEQUENTIAL' },
      { path: 'steps.0.map', message: '"map" applies to MAP_REDUCE steps, not SEQUENTIAL' },
      { path: 'steps.0.fanIn', message: '"fanIn" applies to FAN_OUT_FAN_IN steps, not SEQUENTIAL' },
    ]);
    expect(
      await issuesOf({
        pattern: 'CONDITIONAL',
        steps: [step('a', { condition: { path: 'input.x', op: 'exists' } })],
      }),
    ).toEqual([
      {
        path: 'steps.0.condition',
        message: '"condition" applies to SEQUENTIAL, PARALLEL, FAN_OUT_FAN_IN, SAGA steps, not CONDITIONAL',
      },
    ]);
  });

  it('unknown keys (a misspelt field is an error, not silently ignored)', async () => {
    expect(
      await issuesOf({ pattern: 'SEQUENTIAL', timout: 5, steps: [step('a', { outputMaping: {} })] }),
    ).toEqual([
      { path: 'steps.0', message: 'Unrecognized key: "outputMaping"' },
      { path: '', message: 'Unrecognized key: "timout"' },
    ]);
  });

  it('bad paths in mappings, conditions, map items, output and merge', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        steps: [
          step('a', {
            inputMapping: { x: 'input..x' },
            outputMapping: { 'data x': 'y', ok: 'a b' },
            condition: { all: [{ path: 'input.[0]', op: 'exists' }] },
          }),
        ],
        output: { o: 'data.#' },
      }),
    ).toEqual([
      { path: 'steps.0.inputMapping.x', message: '"input..x" is not a dotted path (segment "")' },
      { path: 'steps.0.outputMapping', message: '"data x" is not a dotted path (segment "data x")' },
      { path: 'steps.0.outputMapping.ok', message: '"a b" is not a dotted path (segment "a b")' },
      { path: 'steps.0.condition.all.0.path', message: '"input.[0]" is not a dotted path (segment "[0]")' },
      { path: 'output.o', message: '"data.#" is not a dotted path (segment "#")' },
    ]);
  });

  it('condition value types', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        steps: [
          step('a', { condition: { path: 'x', op: 'in', value: 'HIGH' } }),
          step('b', {
            condition: {
              any: [{ path: 'x', op: 'gt', value: true }, { not: { path: 'x', op: 'lte', value: null } }],
            },
          }),
          step('c', { condition: { path: 'x', op: 'eq' } }),
        ],
      }),
    ).toEqual([
      { path: 'steps.0.condition.value', message: '"in" needs a list value' },
      { path: 'steps.1.condition.any.0.value', message: '"gt" needs a number or a string value' },
      { path: 'steps.1.condition.any.1.not.value', message: '"lte" needs a number or a string value' },
      { path: 'steps.2.condition.value', message: '"eq" needs a value' },
    ]);
  });

  it('an unknown condition operator is a schema error (reported before any cross-reference check)', async () => {
    expect(
      await issuesOf({
        pattern: 'SEQUENTIAL',
        steps: [
          step('a', { condition: { path: 'x', op: 'matches', value: 1 } }),
          step('b', { agent: 'ghost' }),
        ],
      }),
    ).toEqual([{ path: 'steps.0.condition', message: 'Invalid input' }]);
  });

  it('reports several problems at once, across kinds', async () => {
    const issues = await issuesOf({
      pattern: 'SAGA',
      failFast: true,
      steps: [
        { id: 'a', agent: 'ghost', action: 'detect' },
        step('a', { action: 'fly', compensation: { action: 'nope' } }),
      ],
    });
    expect(issues.map((i) => i.path)).toEqual([
      'failFast',
      'steps.0.agent',
      'steps.1.id',
      'steps.1.action',
      'steps.1.compensation.action',
    ]);
    await expect(
      orchestrator.registerWorkflow({ id: 'w', name: 'w', pattern: 'SAGA', failFast: true, steps: [] }),
    ).rejects.toThrow(/^workflow definition is invalid: steps: a workflow needs at least one step$/);
  });

  it('schema ranges: ids, timeouts, retry overrides', async () => {
    expect(
      await issuesOf({
        id: '1bad',
        pattern: 'SEQUENTIAL',
        timeoutMs: 0,
        steps: [step('bad id', { retry: { maxAttempts: 0, multiplier: 0.5 }, timeoutMs: 86_400_001 })],
      }),
    ).toEqual([
      {
        path: 'id',
        message: 'must start with a letter and contain only letters, digits, "_", "." and "-" (max 100)',
      },
      {
        path: 'steps.0.id',
        message: 'must start with a letter and contain only letters, digits, "_" and "-" (max 64)',
      },
      { path: 'steps.0.retry.maxAttempts', message: 'Too small: expected number to be >=1' },
      { path: 'steps.0.retry.multiplier', message: 'Too small: expected number to be >=1' },
      { path: 'steps.0.timeoutMs', message: 'Too big: expected number to be <=86400000' },
      { path: 'timeoutMs', message: 'Too small: expected number to be >=1' },
    ]);
  });

  it('accepts a valid definition of every pattern', async () => {
    const valid = [
      { pattern: 'SEQUENTIAL', steps: [step('a')] },
      { pattern: 'PARALLEL', maxConcurrency: 2, failFast: false, steps: [step('a'), step('b')] },
      { pattern: 'FAN_OUT_FAN_IN', merge: { strategy: 'COLLECT' }, steps: [step('a')] },
      {
        pattern: 'CONDITIONAL',
        steps: [
          step('a', { next: { when: [{ condition: { path: 'x', op: 'exists' }, next: 'b' }] } }),
          step('b'),
        ],
      },
      { pattern: 'SAGA', steps: [step('a', { compensation: { action: 'undo' } })] },
      {
        pattern: 'MAP_REDUCE',
        steps: [step('m', { map: { items: 'input.x' } }), step('r', { reduce: true })],
      },
      { pattern: 'EVENT_DRIVEN', trigger: 'go', steps: [step('a', { on: 'go', terminal: true })] },
    ];
    for (const [i, definition] of valid.entries()) {
      const { workflow } = await orchestrator.registerWorkflow({ id: `ok${i}`, name: 'ok', ...definition });
      expect(workflow.version).toBe(1);
    }
  });
});

describe('conditions', () => {
  const scope = {
    input: { n: 5, s: 'MEDIUM', list: [1, 2], obj: { a: 1 }, nil: null, yes: true },
    data: {},
  };
  const holds = (condition: Condition) => evaluateCondition(compileCondition(condition), scope);

  it('compares with every operator', () => {
    expect(holds({ path: 'input.n', op: 'eq', value: 5 })).toBe(true);
    expect(holds({ path: 'input.n', op: 'eq', value: 6 })).toBe(false);
    expect(holds({ path: 'input.obj', op: 'eq', value: { a: 1 } })).toBe(true);
    expect(holds({ path: 'input.list', op: 'eq', value: [1, 2] })).toBe(true);
    expect(holds({ path: 'input.list', op: 'eq', value: [2, 1] })).toBe(false);
    expect(holds({ path: 'input.n', op: 'ne', value: 6 })).toBe(true);
    expect(holds({ path: 'input.n', op: 'ne', value: 5 })).toBe(false);
    expect(holds({ path: 'input.n', op: 'gt', value: 4 })).toBe(true);
    expect(holds({ path: 'input.n', op: 'gt', value: 5 })).toBe(false);
    expect(holds({ path: 'input.n', op: 'gte', value: 5 })).toBe(true);
    expect(holds({ path: 'input.n', op: 'lt', value: 6 })).toBe(true);
    expect(holds({ path: 'input.n', op: 'lt', value: 5 })).toBe(false);
    expect(holds({ path: 'input.n', op: 'lte', value: 5 })).toBe(true);
    expect(holds({ path: 'input.s', op: 'gt', value: 'LOW' })).toBe(true);
    expect(holds({ path: 'input.s', op: 'in', value: ['HIGH', 'MEDIUM'] })).toBe(true);
    expect(holds({ path: 'input.s', op: 'in', value: ['HIGH'] })).toBe(false);
    expect(holds({ path: 'input.list.1', op: 'eq', value: 2 })).toBe(true);
  });

  it('exists asks for presence (not null), or absence with value false', () => {
    expect(holds({ path: 'input.n', op: 'exists' })).toBe(true);
    expect(holds({ path: 'input.n', op: 'exists', value: true })).toBe(true);
    expect(holds({ path: 'input.missing', op: 'exists' })).toBe(false);
    expect(holds({ path: 'input.nil', op: 'exists' })).toBe(false);
    expect(holds({ path: 'input.missing', op: 'exists', value: false })).toBe(true);
    expect(holds({ path: 'input.n', op: 'exists', value: false })).toBe(false);
  });

  it('combines with all, any and not', () => {
    const t = { path: 'input.yes', op: 'eq', value: true } as const;
    const f = { path: 'input.yes', op: 'eq', value: false } as const;
    expect(holds({ all: [t, t] })).toBe(true);
    expect(holds({ all: [t, f] })).toBe(false);
    expect(holds({ any: [f, t] })).toBe(true);
    expect(holds({ any: [f, f] })).toBe(false);
    expect(holds({ not: f })).toBe(true);
    expect(holds({ not: { all: [t, { any: [f, { not: t }] }] } })).toBe(true);
  });

  it('is false on a type mismatch or a missing value, never an error', () => {
    expect(holds({ path: 'input.s', op: 'gt', value: 1 })).toBe(false);
    expect(holds({ path: 'input.n', op: 'lt', value: '9' })).toBe(false);
    expect(holds({ path: 'input.n', op: 'eq', value: '5' })).toBe(false);
    expect(holds({ path: 'input.missing', op: 'gt', value: 0 })).toBe(false);
    expect(holds({ path: 'input.missing', op: 'lte', value: 0 })).toBe(false);
    expect(holds({ path: 'input.n.deeper', op: 'eq', value: 1 })).toBe(false);
    expect(holds({ path: 'input.n', op: 'in', value: 5 })).toBe(false);
    expect(holds({ path: 'input.nil', op: 'gte', value: 0 })).toBe(false);
    expect(holds({ path: 'input.obj', op: 'eq', value: [1] })).toBe(false);
  });
});
