/**
 * The shape of a workflow definition, as a zod schema.
 *
 * This is the first of two validation passes: it checks types, ranges and unknown keys (a misspelt
 * `outputMaping` is an error, not a silently ignored field). Cross-references (agents, actions, graph
 * reachability, event producers) are checked afterwards by `validate-workflow.ts`, which needs the
 * agent catalog.
 */

import { z } from 'zod';
import { COMPARISON_OPS, type Condition } from './condition.ts';
import { PATTERNS } from './definition.ts';
import { ERROR_KINDS } from './errors.ts';

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const WORKFLOW_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
const DAY_MS = 86_400_000;

const stepId = z
  .string()
  .regex(ID, 'must start with a letter and contain only letters, digits, "_" and "-" (max 64)');
const eventName = z.string().regex(EVENT_NAME, 'must be an event name such as "contracts.ingested"');
const path = z.string().max(200);
const mapping = z.record(z.string().min(1).max(100), path);
const name = z.string().min(1).max(100);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ path, op: z.enum(COMPARISON_OPS), value: z.unknown().optional() }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

export const retryOverrideSchema = z.strictObject({
  maxAttempts: z.int().min(1).max(20).optional(),
  initialDelayMs: z.int().min(0).max(3_600_000).optional(),
  maxDelayMs: z.int().min(0).max(3_600_000).optional(),
  multiplier: z.number().min(1).max(10).optional(),
  jitter: z.boolean().optional(),
  nonRetryableKinds: z.array(z.enum(ERROR_KINDS)).optional(),
});

const mergeRule = z.union([
  z.enum(['CONCAT', 'SUM', 'MAX', 'MIN', 'FIRST', 'LAST']),
  z.strictObject({ rank: z.array(z.string()).min(1) }),
]);

const stepSchema = z.strictObject({
  id: stepId,
  description: z.string().max(1000).optional(),
  agent: name.optional(),
  capabilities: z.array(name).min(1).max(20).optional(),
  action: name,
  inputMapping: mapping.optional(),
  outputMapping: z.record(path, path).optional(),
  condition: conditionSchema.optional(),
  retry: retryOverrideSchema.optional(),
  timeoutMs: z.int().min(1).max(DAY_MS).optional(),
  fallbackAgent: name.optional(),
  continueOnError: z.boolean().optional(),
  compensation: z
    .strictObject({
      action: name,
      agent: name.optional(),
      inputMapping: mapping.optional(),
      timeoutMs: z.int().min(1).max(DAY_MS).optional(),
    })
    .optional(),
  next: z
    .union([
      stepId,
      z.strictObject({
        when: z.array(z.strictObject({ condition: conditionSchema, next: stepId })).optional(),
        otherwise: stepId.optional(),
      }),
    ])
    .optional(),
  on: z.union([eventName, z.array(eventName).min(1).max(20)]).optional(),
  gather: z.int().min(1).max(1000).optional(),
  emit: eventName.optional(),
  terminal: z.boolean().optional(),
  map: z
    .strictObject({
      items: path,
      groupBy: path.optional(),
      concurrency: z.int().min(1).max(1000).optional(),
      onItemFailure: z.enum(['FAIL', 'SKIP']).optional(),
    })
    .optional(),
  reduce: z.boolean().optional(),
  fanIn: z.boolean().optional(),
});

export const workflowSchema = z.strictObject({
  id: z
    .string()
    .regex(
      WORKFLOW_ID,
      'must start with a letter and contain only letters, digits, "_", "." and "-" (max 100)',
    ),
  name: z.string().min(1).max(200),
  version: z.int().min(1).optional(),
  description: z.string().max(4000).optional(),
  pattern: z.enum(PATTERNS),
  steps: z.array(stepSchema).min(1, 'a workflow needs at least one step').max(200),
  timeoutMs: z
    .int()
    .min(1)
    .max(7 * DAY_MS)
    .optional(),
  metadata: z.record(z.string(), z.json()).optional(),
  maxConcurrency: z.int().min(1).max(1000).optional(),
  failFast: z.boolean().optional(),
  merge: z
    .strictObject({
      strategy: z.enum(['MERGE', 'COLLECT']),
      rules: z.record(z.string().min(1), mergeRule).optional(),
      into: path.optional(),
    })
    .optional(),
  start: stepId.optional(),
  maxSteps: z.int().min(1).max(10_000).optional(),
  trigger: eventName.optional(),
  output: mapping.optional(),
});
