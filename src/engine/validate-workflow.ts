/**
 * Validating a workflow definition and compiling it for execution.
 *
 * Registration is the one moment a definition is checked, so every problem is reported at once with
 * its path: unknown agents and actions, duplicate step ids, a CONDITIONAL graph with no path to an end,
 * a SAGA compensation naming an unknown action, a MAP_REDUCE without a map step, an EVENT_DRIVEN step
 * waiting for an event nobody publishes, fields that belong to another pattern. A definition that
 * passes is compiled: paths split, conditions compiled, routes normalised.
 */

import type { AgentDescriptor } from '../agents/agent.ts';
import { type CompiledCondition, type Condition, compileCondition } from './condition.ts';
import {
  DEFAULT_MAP_CONCURRENCY,
  DEFAULT_MAX_STEPS,
  DEFAULT_STEP_TIMEOUT_MS,
  DEFAULT_WORKFLOW_TIMEOUT_MS,
  type MergeRule,
  type Pattern,
  type RetryPolicy,
  type StepDefinition,
  type WorkflowDefinition,
} from './definition.ts';
import { ValidationError, type ValidationIssue } from './errors.ts';
import { type CompiledPath, compilePath, parsePath } from './json.ts';
import { workflowSchema } from './workflow-schema.ts';

/** What validation needs to know about agents. */
export interface AgentCatalog {
  describe(name: string): AgentDescriptor | undefined;
  /** Agents offering every capability (and the action, when given). */
  agentsFor(capabilities: readonly string[], action?: string): AgentDescriptor[];
  names(): string[];
}

export interface CompiledStep {
  readonly definition: StepDefinition;
  readonly id: string;
  readonly index: number;
  readonly action: string;
  readonly agent: string | null;
  readonly capabilities: readonly string[] | null;
  readonly inputMapping: readonly (readonly [string, CompiledPath])[] | null;
  readonly outputMapping: readonly (readonly [CompiledPath, CompiledPath])[] | null;
  readonly condition: CompiledCondition | null;
  readonly retry: Partial<RetryPolicy> | null;
  readonly timeoutMs: number;
  readonly fallbackAgent: string | null;
  readonly continueOnError: boolean;
  readonly compensation: {
    readonly action: string;
    readonly agent: string | null;
    readonly inputMapping: readonly (readonly [string, CompiledPath])[] | null;
    readonly timeoutMs: number;
  } | null;
  /** CONDITIONAL routing; null means the run ends after this step. */
  readonly next: {
    readonly when: readonly { condition: CompiledCondition; next: string }[];
    readonly otherwise: string | null;
  } | null;
  readonly on: readonly string[];
  readonly gather: number;
  readonly emit: string | null;
  readonly terminal: boolean;
  readonly map: {
    readonly items: CompiledPath;
    readonly groupBy: CompiledPath | null;
    readonly concurrency: number;
    readonly onItemFailure: 'FAIL' | 'SKIP';
  } | null;
  readonly reduce: boolean;
  readonly fanIn: boolean;
}

export interface CompiledMerge {
  readonly strategy: 'MERGE' | 'COLLECT';
  readonly rules: ReadonlyMap<string, MergeRule>;
  readonly into: CompiledPath;
}

export interface CompiledWorkflow {
  /** The definition with `version` filled in. */
  readonly definition: WorkflowDefinition;
  readonly id: string;
  readonly version: number;
  readonly pattern: Pattern;
  readonly timeoutMs: number;
  readonly steps: readonly CompiledStep[];
  readonly stepsById: ReadonlyMap<string, CompiledStep>;
  readonly maxConcurrency: number;
  readonly failFast: boolean;
  readonly merge: CompiledMerge | null;
  readonly start: string | null;
  readonly maxSteps: number;
  readonly trigger: string | null;
  readonly output: readonly (readonly [string, CompiledPath])[] | null;
}

/** Step fields that only one pattern reads; elsewhere they are a mistake. */
const STEP_FIELDS_BY_PATTERN: Record<string, readonly Pattern[]> = {
  compensation: ['SAGA'],
  next: ['CONDITIONAL'],
  on: ['EVENT_DRIVEN'],
  gather: ['EVENT_DRIVEN'],
  emit: ['EVENT_DRIVEN'],
  terminal: ['EVENT_DRIVEN'],
  map: ['MAP_REDUCE'],
  reduce: ['MAP_REDUCE'],
  fanIn: ['FAN_OUT_FAN_IN'],
  condition: ['SEQUENTIAL', 'PARALLEL', 'FAN_OUT_FAN_IN', 'SAGA'],
  continueOnError: ['SEQUENTIAL', 'PARALLEL', 'FAN_OUT_FAN_IN', 'CONDITIONAL', 'EVENT_DRIVEN'],
};

const WORKFLOW_FIELDS_BY_PATTERN: Record<string, readonly Pattern[]> = {
  maxConcurrency: ['PARALLEL', 'FAN_OUT_FAN_IN'],
  failFast: ['PARALLEL', 'FAN_OUT_FAN_IN'],
  merge: ['PARALLEL', 'FAN_OUT_FAN_IN'],
  start: ['CONDITIONAL'],
  maxSteps: ['CONDITIONAL'],
  trigger: ['EVENT_DRIVEN'],
};

/**
 * Checks `input` against the schema and the agent catalog.
 * @throws ValidationError listing every issue found.
 */
export function validateWorkflow(input: unknown, agents: AgentCatalog): WorkflowDefinition {
  const parsed = workflowSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      'workflow definition',
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  const definition = parsed.data as WorkflowDefinition;
  const issues: ValidationIssue[] = [];
  const report = (path: string, message: string) => issues.push({ path, message });

  checkPatternFields(definition, report);
  checkSteps(definition, agents, report);
  checkPaths(definition, report);
  switch (definition.pattern) {
    case 'CONDITIONAL':
      checkConditionalGraph(definition, report);
      break;
    case 'MAP_REDUCE':
      checkMapReduce(definition, report);
      break;
    case 'FAN_OUT_FAN_IN':
      checkFanIn(definition, report);
      break;
    case 'EVENT_DRIVEN':
      checkChoreography(definition, report);
      break;
    default:
      break;
  }
  if (issues.length) throw new ValidationError(`workflow "${definition.id}"`, issues);
  return definition;
}

type Report = (path: string, message: string) => void;

function checkPatternFields(def: WorkflowDefinition, report: Report): void {
  for (const [field, patterns] of Object.entries(WORKFLOW_FIELDS_BY_PATTERN)) {
    if ((def as unknown as Record<string, unknown>)[field] !== undefined && !patterns.includes(def.pattern)) {
      report(field, `"${field}" applies to ${patterns.join(', ')} workflows, not ${def.pattern}`);
    }
  }
  def.steps.forEach((step, i) => {
    for (const [field, patterns] of Object.entries(STEP_FIELDS_BY_PATTERN)) {
      if (
        (step as unknown as Record<string, unknown>)[field] !== undefined &&
        !patterns.includes(def.pattern)
      ) {
        report(
          `steps.${i}.${field}`,
          `"${field}" applies to ${patterns.join(', ')} steps, not ${def.pattern}`,
        );
      }
    }
  });
}

function checkSteps(def: WorkflowDefinition, agents: AgentCatalog, report: Report): void {
  const seen = new Map<string, number>();
  def.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    const previous = seen.get(step.id);
    if (previous !== undefined) report(`${at}.id`, `duplicate step id "${step.id}" (also steps.${previous})`);
    else seen.set(step.id, i);

    if ((step.agent === undefined) === (step.capabilities === undefined)) {
      report(at, 'a step names exactly one of "agent" or "capabilities"');
    }
    if (step.agent !== undefined)
      checkAgentAction(agents, step.agent, step.action, `${at}.agent`, `${at}.action`, report);
    if (step.capabilities !== undefined && agents.agentsFor(step.capabilities, step.action).length === 0) {
      report(
        `${at}.capabilities`,
        `no registered agent offers ${step.capabilities.map((c) => `"${c}"`).join(', ')} with action "${step.action}"`,
      );
    }
    if (step.fallbackAgent !== undefined) {
      checkAgentAction(
        agents,
        step.fallbackAgent,
        step.action,
        `${at}.fallbackAgent`,
        `${at}.fallbackAgent`,
        report,
      );
    }
    if (step.compensation) {
      const compensating = step.compensation.agent ?? step.agent;
      if (compensating !== undefined) {
        checkAgentAction(
          agents,
          compensating,
          step.compensation.action,
          step.compensation.agent !== undefined ? `${at}.compensation.agent` : `${at}.agent`,
          `${at}.compensation.action`,
          report,
        );
      } else if (step.capabilities) {
        const unable = agents
          .agentsFor(step.capabilities, step.action)
          .filter((a) => !a.actions.some((x) => x.name === step.compensation?.action));
        if (unable.length) {
          report(
            `${at}.compensation.action`,
            `"${step.compensation.action}" is not offered by ${unable.map((a) => a.name).join(', ')}, which may run this step; name the compensating agent`,
          );
        }
      }
    }
    if (step.gather !== undefined && step.gather > 1 && Array.isArray(step.on) && step.on.length > 1) {
      report(`${at}.gather`, '"gather" counts publications of a single event; use it with one "on" event');
    }
  });
}

function checkAgentAction(
  agents: AgentCatalog,
  agent: string,
  action: string,
  agentPath: string,
  actionPath: string,
  report: Report,
): void {
  const descriptor = agents.describe(agent);
  if (!descriptor) {
    const known = agents.names();
    report(agentPath, `unknown agent "${agent}"${known.length ? ` (registered: ${known.join(', ')})` : ''}`);
    return;
  }
  if (!descriptor.actions.some((a) => a.name === action)) {
    report(
      actionPath,
      `agent "${agent}" has no action "${action}" (it offers: ${descriptor.actions.map((a) => a.name).join(', ')})`,
    );
  }
}

function checkPaths(def: WorkflowDefinition, report: Report): void {
  const check = (value: string, at: string) => {
    const parsed = parsePath(value);
    if (typeof parsed === 'string') report(at, parsed);
  };
  const checkCondition = (condition: Condition, at: string) => {
    if ('all' in condition) {
      for (const [i, c] of condition.all.entries()) checkCondition(c, `${at}.all.${i}`);
    } else if ('any' in condition) {
      for (const [i, c] of condition.any.entries()) checkCondition(c, `${at}.any.${i}`);
    } else if ('not' in condition) checkCondition(condition.not, `${at}.not`);
    else {
      check(condition.path, `${at}.path`);
      if (condition.op === 'in' && !Array.isArray(condition.value))
        report(`${at}.value`, '"in" needs a list value');
      if (
        ['gt', 'gte', 'lt', 'lte'].includes(condition.op) &&
        typeof condition.value !== 'number' &&
        typeof condition.value !== 'string'
      ) {
        report(`${at}.value`, `"${condition.op}" needs a number or a string value`);
      }
      if (['eq', 'ne'].includes(condition.op) && condition.value === undefined)
        report(`${at}.value`, `"${condition.op}" needs a value`);
    }
  };
  def.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    for (const [key, value] of Object.entries(step.inputMapping ?? {}))
      check(value, `${at}.inputMapping.${key}`);
    for (const [target, source] of Object.entries(step.outputMapping ?? {})) {
      check(target, `${at}.outputMapping`);
      check(source, `${at}.outputMapping.${target}`);
    }
    for (const [key, value] of Object.entries(step.compensation?.inputMapping ?? {})) {
      check(value, `${at}.compensation.inputMapping.${key}`);
    }
    if (step.condition) checkCondition(step.condition, `${at}.condition`);
    if (step.next && typeof step.next === 'object') {
      for (const [r, route] of (step.next.when ?? []).entries()) {
        checkCondition(route.condition, `${at}.next.when.${r}.condition`);
      }
    }
    if (step.map) {
      check(step.map.items, `${at}.map.items`);
      if (step.map.groupBy !== undefined) check(step.map.groupBy, `${at}.map.groupBy`);
    }
  });
  for (const [key, value] of Object.entries(def.output ?? {})) check(value, `output.${key}`);
  if (def.merge?.into !== undefined) check(def.merge.into, 'merge.into');
}

function nextTargets(step: StepDefinition): string[] {
  if (step.next === undefined) return [];
  if (typeof step.next === 'string') return [step.next];
  return [
    ...(step.next.when ?? []).map((r) => r.next),
    ...(step.next.otherwise ? [step.next.otherwise] : []),
  ];
}

/** True when the run may end after this step (no next, or routes that can all fail to match). */
function canEndAfter(step: StepDefinition): boolean {
  return step.next === undefined || (typeof step.next === 'object' && step.next.otherwise === undefined);
}

function checkConditionalGraph(def: WorkflowDefinition, report: Report): void {
  const index = new Map(def.steps.map((s, i) => [s.id, i]));
  const start = def.start ?? def.steps[0]?.id;
  if (def.start !== undefined && !index.has(def.start)) report('start', `no step "${def.start}"`);
  let broken = false;
  def.steps.forEach((step, i) => {
    if (
      step.next !== undefined &&
      typeof step.next === 'object' &&
      !step.next.when?.length &&
      !step.next.otherwise
    ) {
      report(`steps.${i}.next`, 'a route needs "when" entries or an "otherwise"');
    }
    for (const target of nextTargets(step)) {
      if (!index.has(target)) {
        report(`steps.${i}.next`, `no step "${target}"`);
        broken = true;
      }
    }
  });
  if (broken || start === undefined || !index.has(start)) return;

  const reachable = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    queue.push(...nextTargets(def.steps[index.get(id)!]!));
  }
  // Steps from which some path reaches an end: fixpoint over "can end here, or a target can reach an end".
  const reachesEnd = new Set(def.steps.filter(canEndAfter).map((s) => s.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of def.steps) {
      if (!reachesEnd.has(step.id) && nextTargets(step).some((t) => reachesEnd.has(t))) {
        reachesEnd.add(step.id);
        changed = true;
      }
    }
  }
  if (!reachesEnd.has(start)) {
    report(
      def.start !== undefined ? 'start' : 'steps',
      `no path from "${start}" reaches an end: every route loops`,
    );
  }
  def.steps.forEach((step, i) => {
    if (!reachable.has(step.id)) report(`steps.${i}`, `step "${step.id}" is unreachable from "${start}"`);
    else if (!reachesEnd.has(step.id)) report(`steps.${i}.next`, `from "${step.id}" no path reaches an end`);
  });
}

function checkMapReduce(def: WorkflowDefinition, report: Report): void {
  const maps = def.steps.flatMap((s, i) => (s.map ? [i] : []));
  const reduces = def.steps.flatMap((s, i) => (s.reduce ? [i] : []));
  if (maps.length === 0) report('steps', 'a MAP_REDUCE workflow needs a map step (a step with "map")');
  if (maps.length > 1) report(`steps.${maps[1]}.map`, 'a MAP_REDUCE workflow has exactly one map step');
  if (reduces.length === 0)
    report('steps', 'a MAP_REDUCE workflow needs a reduce step (a step with "reduce": true)');
  if (reduces.length > 1)
    report(`steps.${reduces[1]}.reduce`, 'a MAP_REDUCE workflow has exactly one reduce step');
  const m = maps[0];
  const r = reduces[0];
  if (m !== undefined && r !== undefined) {
    if (m === r) report(`steps.${r}`, 'the map step and the reduce step must be different steps');
    else if (r !== m + 1 || r !== def.steps.length - 1) {
      report(
        `steps.${r}`,
        'the reduce step comes right after the map step, last; other steps go before the map step',
      );
    }
  }
}

function checkFanIn(def: WorkflowDefinition, report: Report): void {
  const fanIns = def.steps.flatMap((s, i) => (s.fanIn ? [i] : []));
  if (fanIns.length > 1)
    report(`steps.${fanIns[1]}.fanIn`, 'a FAN_OUT_FAN_IN workflow has at most one fan-in step');
  if (fanIns.length === 0 && !def.merge) {
    report('merge', 'a FAN_OUT_FAN_IN workflow needs a fan-in: a step with "fanIn": true or a "merge"');
  }
  if (def.steps.length - fanIns.length === 0)
    report('steps', 'a FAN_OUT_FAN_IN workflow needs at least one branch step');
}

function checkChoreography(def: WorkflowDefinition, report: Report): void {
  if (!def.trigger) report('trigger', 'an EVENT_DRIVEN workflow declares the "trigger" event that starts it');
  const publishers = new Map<string, number>();
  if (def.trigger) publishers.set(def.trigger, 1);
  for (const step of def.steps)
    if (step.emit) publishers.set(step.emit, (publishers.get(step.emit) ?? 0) + 1);
  def.steps.forEach((step, i) => {
    if (step.on === undefined) {
      report(`steps.${i}.on`, 'an EVENT_DRIVEN step names the event ("on") that fires it');
      return;
    }
    const events = Array.isArray(step.on) ? step.on : [step.on];
    for (const event of events) {
      const count = publishers.get(event) ?? 0;
      if (count === 0)
        report(
          `steps.${i}.on`,
          `no step emits "${event}" and it is not the trigger, so "${step.id}" can never fire`,
        );
      else if ((step.gather ?? 1) > count) {
        report(
          `steps.${i}.gather`,
          `waits for ${step.gather} "${event}" events but only ${count} publisher(s) exist`,
        );
      }
    }
  });
  // Events that can actually be published: the trigger's, then the emits of steps whose events all
  // can be (fixpoint). Steps that wait on each other in a cycle never fire although each event has a publisher.
  const publishable = new Set<string>(def.trigger ? [def.trigger] : []);
  const canFire = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of def.steps) {
      if (canFire.has(step.id) || step.on === undefined) continue;
      if ((Array.isArray(step.on) ? step.on : [step.on]).every((e) => publishable.has(e))) {
        canFire.add(step.id);
        if (step.emit) publishable.add(step.emit);
        changed = true;
      }
    }
  }
  def.steps.forEach((step, i) => {
    if (step.on === undefined || canFire.has(step.id)) return;
    for (const event of Array.isArray(step.on) ? step.on : [step.on]) {
      if (publishers.has(event) && !publishable.has(event)) {
        report(
          `steps.${i}.on`,
          `"${event}" is published only by steps that can never fire (they wait on each other), so "${step.id}" can never fire`,
        );
      }
    }
  });
}

/** Turns a validated definition into the form the engine executes. */
export function compileWorkflow(definition: WorkflowDefinition, version: number): CompiledWorkflow {
  const pairs = (mapping: Record<string, string> | undefined) =>
    mapping ? Object.entries(mapping).map(([key, path]) => [key, compilePath(path)] as const) : null;
  const steps: CompiledStep[] = definition.steps.map((step, index) => ({
    definition: step,
    id: step.id,
    index,
    action: step.action,
    agent: step.agent ?? null,
    capabilities: step.capabilities ?? null,
    inputMapping: pairs(step.inputMapping),
    outputMapping: step.outputMapping
      ? Object.entries(step.outputMapping).map(
          ([target, source]) => [compilePath(target), compilePath(source)] as const,
        )
      : null,
    condition: step.condition ? compileCondition(step.condition) : null,
    retry: step.retry ?? null,
    timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    fallbackAgent: step.fallbackAgent ?? null,
    continueOnError: step.continueOnError ?? false,
    compensation: step.compensation
      ? {
          action: step.compensation.action,
          agent: step.compensation.agent ?? null,
          inputMapping: pairs(step.compensation.inputMapping),
          timeoutMs: step.compensation.timeoutMs ?? step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        }
      : null,
    next:
      step.next === undefined
        ? null
        : typeof step.next === 'string'
          ? { when: [], otherwise: step.next }
          : {
              when: (step.next.when ?? []).map((r) => ({
                condition: compileCondition(r.condition),
                next: r.next,
              })),
              otherwise: step.next.otherwise ?? null,
            },
    on: step.on === undefined ? [] : Array.isArray(step.on) ? step.on : [step.on],
    gather: step.gather ?? 1,
    emit: step.emit ?? null,
    terminal: step.terminal ?? false,
    map: step.map
      ? {
          items: compilePath(step.map.items),
          groupBy: step.map.groupBy === undefined ? null : compilePath(step.map.groupBy),
          concurrency: step.map.concurrency ?? DEFAULT_MAP_CONCURRENCY,
          onItemFailure: step.map.onItemFailure ?? 'FAIL',
        }
      : null,
    reduce: step.reduce ?? false,
    fanIn: step.fanIn ?? false,
  }));
  return {
    definition: { ...definition, version },
    id: definition.id,
    version,
    pattern: definition.pattern,
    timeoutMs: definition.timeoutMs ?? DEFAULT_WORKFLOW_TIMEOUT_MS,
    steps,
    stepsById: new Map(steps.map((s) => [s.id, s])),
    maxConcurrency: definition.maxConcurrency ?? Number.POSITIVE_INFINITY,
    failFast: definition.failFast ?? true,
    merge: definition.merge
      ? {
          strategy: definition.merge.strategy,
          rules: new Map(Object.entries(definition.merge.rules ?? {})),
          into: compilePath(definition.merge.into ?? 'merged'),
        }
      : null,
    start:
      definition.pattern === 'CONDITIONAL' ? (definition.start ?? definition.steps[0]?.id ?? null) : null,
    maxSteps: definition.maxSteps ?? DEFAULT_MAX_STEPS,
    trigger: definition.trigger ?? null,
    output: pairs(definition.output),
  };
}
