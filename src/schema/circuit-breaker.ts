/**
 * Circuit breakers: their state per agent, the stream of transitions, and the operator's controls
 * (reset, isolate, configure).
 */

import { z } from 'zod';
import type {
  CircuitBreakerSettings,
  CircuitBreakerTransition,
  CircuitBreakerView,
} from '../engine/index.ts';
import { ValidationError } from '../engine/index.ts';
import { builder } from './builder.ts';
import { eventOf } from './context.ts';
import { BreakerStateEnum } from './enums.ts';
import { AgentNotFoundError, NotAuthorizedError, translateErrors } from './errors.ts';
import { instant } from './scalars.ts';

const CircuitBreakerSettingsRef = builder
  .objectRef<CircuitBreakerSettings>('CircuitBreakerSettings')
  .implement({
    fields: (t) => ({
      failureThreshold: t.exposeInt('failureThreshold', {
        description: 'Consecutive failures that open the breaker.',
      }),
      halfOpenAfterMs: t.exposeInt('halfOpenAfterMs', { description: 'Wait before admitting trial calls.' }),
      successThreshold: t.exposeInt('successThreshold', {
        description: 'Trial calls admitted half-open; all must succeed.',
      }),
    }),
  });

export const CircuitBreakerRef = builder.objectRef<CircuitBreakerView>('CircuitBreaker').implement({
  fields: (t) => ({
    agent: t.exposeString('agent'),
    state: t.field({ type: BreakerStateEnum, resolve: (b) => b.state }),
    failureCount: t.exposeInt('failureCount'),
    openedAt: t.field({ type: 'DateTime', nullable: true, resolve: (b) => instant(b.openedAt) }),
    halfOpenAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When an open breaker admits trial calls.',
      resolve: (b) => instant(b.halfOpenAt),
    }),
    lastFailure: t.exposeString('lastFailure', { nullable: true }),
    lastTransitionAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (b) => instant(b.lastTransitionAt),
    }),
    settings: t.field({ type: CircuitBreakerSettingsRef, resolve: (b) => b.settings }),
  }),
});

const CircuitBreakerTransitionRef = builder
  .objectRef<CircuitBreakerTransition>('CircuitBreakerTransition')
  .implement({
    fields: (t) => ({
      agent: t.exposeString('agent'),
      from: t.field({ type: BreakerStateEnum, resolve: (x) => x.from }),
      to: t.field({ type: BreakerStateEnum, resolve: (x) => x.to }),
      at: t.field({ type: 'DateTime', resolve: (x) => instant(x.at) }),
      failureCount: t.exposeInt('failureCount'),
      reason: t.exposeString('reason', { nullable: true }),
    }),
  });

builder.queryField('circuitBreakers', (t) =>
  t.field({
    type: [CircuitBreakerRef],
    description: 'The breaker of every agent.',
    resolve: (_root, _args, context) => context.engine.circuitBreakers(),
  }),
);

builder.subscriptionField('circuitBreakerChanged', (t) =>
  t.field({
    type: CircuitBreakerTransitionRef,
    description: 'Breaker transitions as they happen, of one agent or all.',
    args: { agent: t.arg.string({ required: false }) },
    subscribe: (_root, args, context) => {
      if (args.agent && !context.engine.describeAgent(args.agent)) throw new AgentNotFoundError(args.agent);
      return context.engine.breakerTransitions(args.agent ?? undefined);
    },
    resolve: eventOf,
  }),
);

const BreakerSuccess = builder
  .objectRef<{ circuitBreaker: CircuitBreakerView }>('CircuitBreakerSuccess')
  .implement({
    fields: (t) => ({
      circuitBreaker: t.field({ type: CircuitBreakerRef, resolve: (r) => r.circuitBreaker }),
    }),
  });

for (const [field, action, description] of [
  ['resetCircuitBreaker', 'reset', 'Closes the breaker and forgets its failures, whatever its state.'],
  ['isolateCircuitBreaker', 'isolate', 'Holds the breaker open: every call is refused until it is reset.'],
] as const) {
  builder.mutationField(field, (t) =>
    t.field({
      type: BreakerSuccess,
      description,
      authScopes: { admin: true },
      errors: {
        types: [NotAuthorizedError, AgentNotFoundError],
        directResult: true,
        union: { name: `${field[0]?.toUpperCase()}${field.slice(1)}Result` },
      },
      args: { agent: t.arg.string({ required: true }) },
      resolve: (_root, args, context) =>
        translateErrors(() => ({
          circuitBreaker:
            action === 'reset'
              ? context.engine.resetCircuitBreaker(args.agent)
              : context.engine.isolateCircuitBreaker(args.agent),
        })),
    }),
  );
}

const ConfigureCircuitBreakerInput = builder.inputType('ConfigureCircuitBreakerInput', {
  fields: (t) => ({
    agent: t.string({
      required: false,
      description: 'The agent; omit to change the defaults of every agent without its own settings.',
    }),
    failureThreshold: t.int({ required: false, validate: z.number().int().min(1).max(1000) }),
    halfOpenAfterMs: t.int({ required: false, validate: z.number().int().min(1).max(86_400_000) }),
    successThreshold: t.int({ required: false, validate: z.number().int().min(1).max(100) }),
  }),
});

const ConfigureCircuitBreakerSuccess = builder
  .objectRef<{ settings: CircuitBreakerSettings; circuitBreaker: CircuitBreakerView | null }>(
    'ConfigureCircuitBreakerSuccess',
  )
  .implement({
    fields: (t) => ({
      settings: t.field({ type: CircuitBreakerSettingsRef, resolve: (r) => r.settings }),
      circuitBreaker: t.field({ type: CircuitBreakerRef, nullable: true, resolve: (r) => r.circuitBreaker }),
    }),
  });

builder.mutationField('configureCircuitBreaker', (t) =>
  t.field({
    type: ConfigureCircuitBreakerSuccess,
    description: 'Changes breaker settings at run time; the breaker keeps its state.',
    authScopes: { admin: true },
    errors: {
      types: [NotAuthorizedError, ValidationError, AgentNotFoundError],
      directResult: true,
      union: { name: 'ConfigureCircuitBreakerResult' },
    },
    args: { input: t.arg({ type: ConfigureCircuitBreakerInput, required: true }) },
    resolve: (_root, { input }, context) =>
      translateErrors(() => {
        const { agent, ...changes } = input;
        const settings = context.engine.configureCircuitBreaker(
          agent ?? null,
          Object.fromEntries(Object.entries(changes).filter(([, v]) => v != null)),
        );
        return { settings, circuitBreaker: agent ? context.engine.circuitBreaker(agent) : null };
      }),
  }),
);
