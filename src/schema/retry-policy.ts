/**
 * The default retry policy every step uses unless it overrides it, readable and changeable at run time.
 */

import { z } from 'zod';
import { type ErrorKind, type RetryPolicy, ValidationError } from '../engine/index.ts';
import { stripNulls } from './agent.ts';
import { builder } from './builder.ts';
import { ErrorKindEnum } from './error-types.ts';
import { NotAuthorizedError, translateErrors } from './errors.ts';

export const RetryPolicyRef = builder.objectRef<RetryPolicy>('RetryPolicy').implement({
  description:
    'Exponential backoff with jitter: attempt n waits min(maxDelayMs, initialDelayMs · multiplier^(n-2)).',
  fields: (t) => ({
    maxAttempts: t.exposeInt('maxAttempts'),
    initialDelayMs: t.exposeInt('initialDelayMs'),
    maxDelayMs: t.exposeInt('maxDelayMs'),
    multiplier: t.exposeFloat('multiplier'),
    jitter: t.exposeBoolean('jitter'),
    nonRetryableKinds: t.field({ type: [ErrorKindEnum], resolve: (p) => p.nonRetryableKinds }),
  }),
});

export const RetryPolicyInput = builder.inputType('RetryPolicyInput', {
  fields: (t) => ({
    maxAttempts: t.int({ required: false, validate: z.number().int().min(1).max(20) }),
    initialDelayMs: t.int({ required: false, validate: z.number().int().min(0).max(3_600_000) }),
    maxDelayMs: t.int({ required: false, validate: z.number().int().min(0).max(3_600_000) }),
    multiplier: t.float({ required: false, validate: z.number().min(1).max(10) }),
    jitter: t.boolean({ required: false }),
    nonRetryableKinds: t.field({ type: [ErrorKindEnum], required: false }),
  }),
});

builder.queryField('retryPolicy', (t) =>
  t.field({
    type: RetryPolicyRef,
    description: 'The default retry policy of steps without their own.',
    resolve: (_root, _args, context) => context.engine.retryPolicy(),
  }),
);

builder.mutationField('configureRetryPolicy', (t) =>
  t.field({
    type: builder.objectRef<{ retryPolicy: RetryPolicy }>('ConfigureRetryPolicySuccess').implement({
      fields: (f) => ({ retryPolicy: f.field({ type: RetryPolicyRef, resolve: (r) => r.retryPolicy }) }),
    }),
    description:
      'Changes the default retry policy; every step without overrides uses it from its next attempt series.',
    authScopes: { admin: true },
    errors: {
      types: [NotAuthorizedError, ValidationError],
      directResult: true,
      union: { name: 'ConfigureRetryPolicyResult' },
    },
    args: { input: t.arg({ type: RetryPolicyInput, required: true }) },
    resolve: (_root, { input }, context) =>
      translateErrors(() => ({
        retryPolicy: context.engine.configureRetryPolicy(
          stripNulls(input) as Partial<RetryPolicy> & { nonRetryableKinds?: ErrorKind[] },
        ),
      })),
  }),
);
