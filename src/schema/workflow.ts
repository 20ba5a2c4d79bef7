/**
 * Workflows: a `Workflow` is one registered version of a definition. `workflow(id)` returns the latest
 * version (or the one named with `id@version`); `versions` lists them all.
 */

import type { StepDefinition, WorkflowVersionRecord } from '../engine/index.ts';
import { ValidationError } from '../engine/index.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { PatternEnum } from './enums.ts';
import { NotAuthorizedError, translateErrors, WorkflowNotFoundError } from './errors.ts';
import { workflowRef } from './ids.ts';
import { instant } from './scalars.ts';

export const WorkflowRef = builder.loadableNodeRef('Workflow', {
  id: { resolve: (w: WorkflowVersionRecord) => `${w.id}@${w.version}` },
  load: async (keys: string[], context: GraphQLContext): Promise<(WorkflowVersionRecord | Error)[]> =>
    (await context.engine.getWorkflowVersions(keys.map(workflowRef))).map(
      (w, i) => w ?? new WorkflowNotFoundError(keys[i] as string),
    ),
});

WorkflowRef.implement({
  description: 'One registered version of a workflow definition.',
  fields: (t) => ({
    workflowId: t.exposeString('id', {
      description: 'The workflow\'s own id, e.g. "default_investigation".',
    }),
    version: t.exposeInt('version'),
    name: t.string({ resolve: (w) => w.definition.name }),
    description: t.string({ nullable: true, resolve: (w) => w.definition.description ?? null }),
    pattern: t.field({ type: PatternEnum, resolve: (w) => w.definition.pattern }),
    timeoutMs: t.int({ nullable: true, resolve: (w) => w.definition.timeoutMs ?? null }),
    trigger: t.string({ nullable: true, resolve: (w) => w.definition.trigger ?? null }),
    metadata: t.field({ type: 'JSON', nullable: true, resolve: (w) => w.definition.metadata ?? null }),
    steps: t.field({ type: [WorkflowStepRef], resolve: (w) => w.definition.steps }),
    definition: t.field({
      type: 'JSON',
      description: 'The definition as registered.',
      resolve: (w) => w.definition,
    }),
    registeredAt: t.field({ type: 'DateTime', resolve: (w) => instant(w.registeredAt) }),
    // Both by workflow id through loaders: a page of runs asks once per distinct workflow, not per run.
    latestVersion: t.loadable({
      type: 'Int',
      load: async (ids: string[], context) =>
        (await context.engine.getWorkflowVersions(ids.map((id) => ({ id })))).map(
          (w, i) => w?.version ?? new WorkflowNotFoundError(ids[i] as string),
        ),
      resolve: (w) => w.id,
    }),
    versions: t.loadableList({
      type: WorkflowRef,
      description: 'Every version of this workflow, oldest first.',
      load: (ids: string[], context) => Promise.all(ids.map((id) => context.engine.listWorkflowVersions(id))),
      resolve: (w) => w.id,
    }),
  }),
});

const WorkflowStepRef = builder.objectRef<StepDefinition>('WorkflowStep').implement({
  description: 'A step of a workflow definition; pattern-specific settings are null where they do not apply.',
  fields: (t) => ({
    id: t.exposeString('id'),
    description: t.exposeString('description', { nullable: true }),
    agent: t.exposeString('agent', { nullable: true }),
    capabilities: t.exposeStringList('capabilities', { nullable: true }),
    action: t.exposeString('action'),
    inputMapping: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.inputMapping ?? null }),
    outputMapping: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.outputMapping ?? null }),
    condition: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.condition ?? null }),
    retry: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.retry ?? null }),
    timeoutMs: t.exposeInt('timeoutMs', { nullable: true }),
    fallbackAgent: t.exposeString('fallbackAgent', { nullable: true }),
    continueOnError: t.boolean({ resolve: (s) => s.continueOnError ?? false }),
    compensation: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.compensation ?? null }),
    next: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.next ?? null }),
    on: t.stringList({
      nullable: true,
      resolve: (s) => (s.on === undefined ? null : Array.isArray(s.on) ? s.on : [s.on]),
    }),
    emit: t.exposeString('emit', { nullable: true }),
    terminal: t.boolean({ resolve: (s) => s.terminal ?? false }),
    map: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.map ?? null }),
    reduce: t.boolean({ resolve: (s) => s.reduce ?? false }),
    fanIn: t.boolean({ resolve: (s) => s.fanIn ?? false }),
  }),
});

builder.queryFields((t) => ({
  workflows: t.field({
    type: [WorkflowRef],
    description: 'The latest version of every workflow, optionally of one pattern.',
    args: { pattern: t.arg({ type: PatternEnum, required: false }) },
    resolve: (_root, args, context) =>
      context.engine.listWorkflows(args.pattern ? { pattern: args.pattern } : {}),
  }),
  workflow: t.field({
    type: WorkflowRef,
    nullable: true,
    description: 'A workflow by its own id ("triage"), with a version ("triage@2"), or by global id.',
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) =>
      (await context.engine.getWorkflowVersions([workflowRef(args.id)]))[0] ?? null,
  }),
}));

const RegisterWorkflowSuccess = builder
  .objectRef<{ workflow: WorkflowVersionRecord; created: boolean }>('RegisterWorkflowSuccess')
  .implement({
    fields: (t) => ({
      workflow: t.field({ type: WorkflowRef, resolve: (r) => r.workflow }),
      created: t.exposeBoolean('created', {
        description: 'False when the definition equals the latest version.',
      }),
    }),
  });

builder.mutationField('registerWorkflow', (t) =>
  t.field({
    type: RegisterWorkflowSuccess,
    description: 'Registers a definition; an existing id gets its next version unless nothing changed.',
    authScopes: { admin: true },
    errors: {
      types: [NotAuthorizedError, ValidationError],
      directResult: true,
      union: { name: 'RegisterWorkflowResult' },
    },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RegisterWorkflowInput', {
          fields: (f) => ({ definition: f.field({ type: 'JSON', required: true }) }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      translateErrors(() => context.engine.registerWorkflow(input.definition)),
  }),
);
