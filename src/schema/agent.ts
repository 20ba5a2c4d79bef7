/**
 * Agents: what they offer (capabilities, actions), how they are doing (breaker, performance), which
 * one is best for a set of capabilities, and direct calls with the same guards as a workflow step.
 */

import { z } from 'zod';
import type { AgentActionDescriptor, AgentDescriptor } from '../agents/agent.ts';
import type { AgentSelection } from '../agents/registry.ts';
import { type ExecuteAgentResult, type StepAttempt, ValidationError } from '../engine/index.ts';
import { builder } from './builder.ts';
import { CircuitBreakerRef } from './circuit-breaker.ts';
import type { GraphQLContext } from './context.ts';
import {
  AgentCallError,
  AgentNotFoundError,
  CircuitOpenError,
  NotAuthorizedError,
  translateErrors,
} from './errors.ts';
import { RetryPolicyInput } from './retry-policy.ts';
import { AgentPerformanceRef } from './stats.ts';
import { StepAttemptRef } from './step-run.ts';

export const AgentRef = builder.loadableNodeRef('Agent', {
  id: { resolve: (a: AgentDescriptor) => a.name },
  load: async (names: string[], context: GraphQLContext): Promise<(AgentDescriptor | Error)[]> =>
    names.map((name) => context.engine.describeAgent(name) ?? new AgentNotFoundError(name)),
});

AgentRef.implement({
  description: 'An agent: a name, what it can do, and how it is doing.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    capabilities: t.stringList({ resolve: (a) => [...a.capabilities] }),
    actions: t.field({ type: [AgentActionRef], resolve: (a) => [...a.actions] }),
    circuitBreaker: t.loadable({
      type: CircuitBreakerRef,
      description: "The agent's circuit breaker right now.",
      load: async (names: string[], context) => names.map((name) => context.engine.circuitBreaker(name)),
      resolve: (a) => a.name,
    }),
    performance: t.loadable({
      type: AgentPerformanceRef,
      description: 'Calls, failures and latency since statistics began.',
      load: async (names: string[], context) => names.map((name) => context.engine.agentStatistics(name)),
      resolve: (a) => a.name,
    }),
  }),
});

const AgentActionRef = builder.objectRef<AgentActionDescriptor>('AgentAction').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    parameters: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Payload keys the action reads, each with a description and its default.',
      resolve: (a) => a.parameters ?? null,
    }),
  }),
});

const CapabilityRef = builder.objectRef<{ name: string; agents: AgentDescriptor[] }>('Capability').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    agents: t.field({ type: [AgentRef], resolve: (c) => c.agents }),
  }),
});

const AgentSelectionRef = builder.objectRef<AgentSelection>('AgentSelection').implement({
  description: 'The best available agent for a set of capabilities, and why.',
  fields: (t) => ({
    agent: t.field({ type: AgentRef, resolve: (s) => s.agent }),
    score: t.exposeFloat('score'),
    coverage: t.exposeFloat('coverage'),
    matched: t.exposeStringList('matched'),
    missing: t.exposeStringList('missing'),
  }),
});

builder.queryFields((t) => ({
  agents: t.field({
    type: [AgentRef],
    description: 'Every agent, or those offering a capability.',
    args: { capability: t.arg.string({ required: false }) },
    resolve: (_root, args, context) =>
      context.engine.listAgents(args.capability ? { capability: args.capability } : {}),
  }),
  agent: t.field({
    type: AgentRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.engine.describeAgent(args.name),
  }),
  capabilities: t.field({
    type: [CapabilityRef],
    description: 'Every capability with the agents that offer it.',
    resolve: (_root, _args, context) => context.engine.capabilities(),
  }),
  selectBestAgent: t.field({
    type: AgentSelectionRef,
    nullable: true,
    description:
      'Scores capability coverage, skips agents whose breaker is open, prefers success rate and latency.',
    args: {
      capabilities: t.arg.stringList({ required: true, validate: z.array(z.string().min(1)).min(1) }),
      action: t.arg.string({ required: false }),
    },
    resolve: (_root, args, context) =>
      context.engine.selectBestAgent(args.capabilities, args.action ?? undefined),
  }),
}));

const ExecuteAgentInput = builder.inputType('ExecuteAgentInput', {
  fields: (t) => ({
    agent: t.string({ required: false, description: 'The agent to call; or give `capabilities`.' }),
    capabilities: t.stringList({
      required: false,
      description: 'Pick the best available agent offering these.',
    }),
    action: t.string({ required: true }),
    input: t.field({
      type: 'JSON',
      required: false,
      description: 'The payload (a JSON object). Default {}.',
    }),
    retry: t.field({ type: RetryPolicyInput, required: false }),
    fallbackAgent: t.string({ required: false }),
    timeoutMs: t.int({ required: false, description: 'Per-attempt timeout. Default 300000.' }),
  }),
  // A loose object: the plugin passes on the validated value, and a plain z.object would strip every
  // field it does not name (action, input, retry, ...).
  validate: z
    .looseObject({
      agent: z.string().min(1).nullish(),
      capabilities: z.array(z.string().min(1)).min(1).nullish(),
      timeoutMs: z.number().int().min(1).max(86_400_000).nullish(),
    })
    .refine((v) => (v.agent == null) !== (v.capabilities == null), {
      message: 'give exactly one of "agent" or "capabilities"',
      path: ['agent'],
    }),
});

const ExecuteAgentSuccess = builder.objectRef<ExecuteAgentResult>('ExecuteAgentSuccess').implement({
  fields: (t) => ({
    agent: t.field({
      type: AgentRef,
      description: 'The agent that produced the output (the fallback when it took over).',
      resolve: (r) => r.agent,
    }),
    output: t.field({ type: 'JSON', resolve: (r) => r.output }),
    attempts: t.field({ type: [StepAttemptRef], resolve: (r): StepAttempt[] => r.attempts }),
    durationMs: t.exposeInt('durationMs'),
  }),
});

builder.mutationField('executeAgent', (t) =>
  t.field({
    type: ExecuteAgentSuccess,
    description:
      'Calls an agent directly, with the retries, breaker, timeout and fallback of a workflow step.',
    authScopes: { operator: true },
    errors: {
      types: [NotAuthorizedError, ValidationError, AgentNotFoundError, CircuitOpenError, AgentCallError],
      directResult: true,
      union: { name: 'ExecuteAgentResult' },
    },
    args: { input: t.arg({ type: ExecuteAgentInput, required: true }) },
    resolve: (_root, { input }, context) =>
      translateErrors(() =>
        context.engine.executeAgent({
          ...(input.agent ? { agent: input.agent } : {}),
          ...(input.capabilities ? { capabilities: input.capabilities } : {}),
          action: input.action,
          input: input.input ?? {},
          ...(input.retry ? { retry: stripNulls(input.retry) } : {}),
          ...(input.fallbackAgent ? { fallbackAgent: input.fallbackAgent } : {}),
          ...(input.timeoutMs != null ? { timeoutMs: input.timeoutMs } : {}),
        }),
      ),
  }),
);

/** GraphQL sends absent optional input fields as null; the engine wants them absent. */
export function stripNulls<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}
