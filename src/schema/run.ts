/**
 * Runs: the history (a Relay connection with filters and stable keyset cursors), one run with its
 * steps and events, starting and cancelling runs, and the stream of status changes for dashboards.
 */

import { z } from 'zod';
import {
  type RunCursor,
  type RunFilter,
  type RunRecord,
  type RunSummary,
  type RunUpdate,
  ValidationError,
} from '../engine/index.ts';
import { builder } from './builder.ts';
import { eventOf, type GraphQLContext } from './context.ts';
import { PatternEnum, RunStatusEnum } from './enums.ts';
import {
  InputValidationError,
  InvalidStateError,
  NotAuthorizedError,
  RunNotFoundError,
  translateErrors,
  WorkflowNotFoundError,
} from './errors.ts';
import { ownId, workflowRef } from './ids.ts';
import { RunEventRef } from './run-event.ts';
import { instant } from './scalars.ts';
import { RunErrorRef, StepRunRef } from './step-run.ts';
import { WorkflowRef } from './workflow.ts';

/** A run as lists return it (no input/output) or in full. */
type RunShape = RunSummary & Partial<Pick<RunRecord, 'input' | 'output'>>;

export const RunRef = builder.loadableNodeRef('Run', {
  id: { resolve: (r: RunShape) => r.id },
  load: async (ids: string[], context: GraphQLContext): Promise<(RunShape | Error)[]> =>
    (await context.engine.getRuns(ids)).map((r, i) => r ?? new RunNotFoundError(ids[i] as string)),
});

RunRef.implement({
  description: 'One execution of a workflow version.',
  fields: (t) => ({
    runId: t.exposeString('id', { description: "The run's own id (a UUIDv7), as accepted by `runEvents`." }),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    workflowId: t.exposeString('workflowId'),
    workflowVersion: t.exposeInt('workflowVersion', {
      description: 'The version the run was pinned to when it started.',
    }),
    workflow: t.loadable({
      type: WorkflowRef,
      nullable: true,
      description: 'The workflow version this run executed.',
      load: (keys: string[], context) => context.engine.getWorkflowVersions(keys.map(workflowRef)),
      resolve: (r) => `${r.workflowId}@${r.workflowVersion}`,
    }),
    pattern: t.field({ type: PatternEnum, resolve: (r) => r.pattern }),
    input: t.field({
      type: 'JSON',
      resolve: async (r, _args, context) => ('input' in r ? r.input : (await full(r, context)).input),
    }),
    output: t.field({
      type: 'JSON',
      nullable: true,
      resolve: async (r, _args, context) =>
        ('output' in r ? r.output : (await full(r, context)).output) ?? null,
    }),
    error: t.field({ type: RunErrorRef, nullable: true, resolve: (r) => r.error }),
    triggeredBy: t.exposeString('triggeredBy', {
      nullable: true,
      description: 'The domain event that started the run.',
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (r) => instant(r.startedAt) }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => instant(r.finishedAt) }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    steps: t.loadableGroup({
      type: StepRunRef,
      description: 'Step executions in the order they started.',
      load: (ids: string[], context) => context.engine.getStepRuns(ids).then((lists) => lists.flat()),
      group: (step) => step.runId,
      resolve: (r) => r.id,
    }),
    events: t.field({
      type: [RunEventRef],
      description: 'Stored events after `afterSeq`, at most `first`.',
      args: {
        afterSeq: t.arg.int({ required: false, defaultValue: 0, validate: z.number().int().min(0) }),
        first: t.arg.int({
          required: false,
          defaultValue: 1000,
          validate: z.number().int().min(1).max(10_000),
        }),
      },
      resolve: (r, args, context) => context.engine.getEvents(r.id, args.afterSeq ?? 0, args.first ?? 1000),
    }),
  }),
});

/** The full record behind a summary, through the request's Run loader. */
async function full(run: RunShape, context: GraphQLContext): Promise<RunRecord> {
  const loaded = (await RunRef.getDataloader(context).load(run.id)) as RunShape;
  return { ...loaded, input: loaded.input ?? null, output: loaded.output ?? null };
}

const RunFilterInput = builder.inputType('RunFilter', {
  fields: (t) => ({
    status: t.field({ type: [RunStatusEnum], required: false }),
    workflowId: t.string({ required: false }),
    pattern: t.field({ type: [PatternEnum], required: false }),
    agent: t.string({
      required: false,
      description: 'Runs in which this agent made an attempt (fallbacks included).',
    }),
    startedAfter: t.field({ type: 'DateTime', required: false, description: 'Inclusive.' }),
    startedBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive.' }),
  }),
});

const RunOrderEnum = builder.enumType('RunOrder', { values: ['STARTED_AT_DESC', 'STARTED_AT_ASC'] as const });

type RunFilterArg = typeof RunFilterInput.$inferInput;

function toFilter(input: RunFilterArg | null | undefined): RunFilter {
  const filter: RunFilter = {};
  if (!input) return filter;
  if (input.status?.length) filter.status = input.status;
  if (input.workflowId) filter.workflowId = workflowRef(input.workflowId).id;
  if (input.pattern?.length) filter.pattern = input.pattern;
  if (input.agent) filter.agent = input.agent;
  if (input.startedAfter) filter.startedAfter = input.startedAfter.getTime();
  if (input.startedBefore) filter.startedBefore = input.startedBefore.getTime();
  return filter;
}

const encodeCursor = (run: RunSummary): string =>
  Buffer.from(`${run.startedAt}:${run.id}`).toString('base64url');

function decodeCursor(cursor: string, arg: string): RunCursor {
  const raw = Buffer.from(cursor, 'base64url').toString();
  const separator = raw.indexOf(':');
  const startedAt = Number(raw.slice(0, separator));
  if (separator < 1 || !Number.isSafeInteger(startedAt)) {
    throw new InputValidationError('pagination', [
      { path: arg, message: 'is not a cursor returned by this API' },
    ]);
  }
  return { startedAt, id: raw.slice(separator + 1) };
}

const DEFAULT_PAGE = 50;

builder.queryFields((t) => ({
  run: t.field({
    type: RunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true, description: 'The run id, or its global id.' }) },
    resolve: async (_root, args, context) =>
      (await context.engine.getRun(ownId(String(args.id), 'Run'))) ?? null,
  }),
  runs: t.connection(
    {
      type: RunRef,
      description: 'Run history, newest first by default. Cursors stay valid while new runs arrive.',
      args: {
        filter: t.arg({ type: RunFilterInput, required: false }),
        orderBy: t.arg({ type: RunOrderEnum, required: false, defaultValue: 'STARTED_AT_DESC' }),
      },
      // Loose: the validated value replaces the args, and a plain z.object would drop filter and orderBy.
      validate: z
        .looseObject({
          first: z.number().int().min(0).max(500).nullish(),
          last: z.number().int().min(0).max(500).nullish(),
          after: z.string().nullish(),
          before: z.string().nullish(),
        })
        .refine((a) => (a.first == null && a.after == null) || (a.last == null && a.before == null), {
          message: 'page forward with first/after or backward with last/before, not both',
          path: ['last'],
        }),
      resolve: async (_root, args, context) => {
        const filter = toFilter(args.filter);
        const backward = args.last != null || args.before != null;
        const page = await context.engine.listRuns({
          filter,
          orderBy: args.orderBy ?? 'STARTED_AT_DESC',
          ...(backward
            ? {
                last: args.last ?? DEFAULT_PAGE,
                ...(args.before ? { before: decodeCursor(args.before, 'before') } : {}),
              }
            : {
                first: args.first ?? DEFAULT_PAGE,
                ...(args.after ? { after: decodeCursor(args.after, 'after') } : {}),
              }),
        });
        const edges = page.runs.map((run) => ({ cursor: encodeCursor(run), node: run as RunShape }));
        return {
          filter,
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges[edges.length - 1]?.cursor ?? null,
          },
        };
      },
    },
    {
      fields: (c) => ({
        totalCount: c.int({
          description: 'Runs matching the filter, across all pages.',
          resolve: (connection, _args, context) =>
            context.engine.countRuns((connection as unknown as { filter: RunFilter }).filter),
        }),
      }),
    },
  ),
}));

const ExecuteWorkflowInput = builder.inputType('ExecuteWorkflowInput', {
  fields: (t) => ({
    workflowId: t.string({
      required: true,
      description: 'The workflow id ("triage"), "id@version", or its global id.',
    }),
    input: t.field({
      type: 'JSON',
      required: false,
      description: 'The run input, a JSON object. Default {}.',
    }),
    wait: t.boolean({
      required: false,
      defaultValue: false,
      description:
        'Return when the run has ended. By default it returns at once, RUNNING, so you can subscribe to runEvents.',
    }),
  }),
});

const RunSuccess = (name: string) =>
  builder.objectRef<{ run: RunRecord }>(name).implement({
    fields: (t) => ({ run: t.field({ type: RunRef, resolve: (r) => r.run }) }),
  });

builder.mutationFields((t) => ({
  executeWorkflow: t.field({
    type: RunSuccess('ExecuteWorkflowSuccess'),
    description: "Starts a run of the workflow's latest version (or the version named in the id).",
    authScopes: { operator: true },
    errors: {
      types: [NotAuthorizedError, ValidationError, WorkflowNotFoundError, InvalidStateError],
      directResult: true,
      union: { name: 'ExecuteWorkflowResult' },
    },
    args: { input: t.arg({ type: ExecuteWorkflowInput, required: true }) },
    resolve: (_root, { input }, context) =>
      translateErrors(async () => {
        const ref = workflowRef(input.workflowId);
        const run = await context.engine.executeWorkflow(ref.id, input.input ?? {}, {
          wait: input.wait ?? false,
          ...(ref.version === undefined ? {} : { version: ref.version }),
        });
        return { run };
      }),
  }),
  cancelRun: t.field({
    type: RunSuccess('CancelRunSuccess'),
    description: 'Cancels a running run: its agent calls are aborted and it ends CANCELLED.',
    authScopes: { operator: true },
    errors: {
      types: [NotAuthorizedError, RunNotFoundError, InvalidStateError],
      directResult: true,
      union: { name: 'CancelRunResult' },
    },
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: false }) },
    resolve: (_root, args, context) =>
      translateErrors(async () => ({
        run: await context.engine.cancelRun(ownId(String(args.id), 'Run'), args.reason ?? undefined),
      })),
  }),
}));

const RunUpdateRef = builder.objectRef<RunUpdate>('RunUpdate').implement({
  description: 'A run started or ended.',
  fields: (t) => ({
    run: t.field({ type: RunRef, resolve: (u) => u.runId }),
    runId: t.exposeString('runId'),
    workflowId: t.exposeString('workflowId'),
    workflowVersion: t.exposeInt('workflowVersion'),
    pattern: t.field({ type: PatternEnum, resolve: (u) => u.pattern }),
    status: t.field({ type: RunStatusEnum, resolve: (u) => u.status }),
    previousStatus: t.field({ type: RunStatusEnum, nullable: true, resolve: (u) => u.previousStatus }),
    at: t.field({ type: 'DateTime', resolve: (u) => instant(u.at) }),
    error: t.field({ type: RunErrorRef, nullable: true, resolve: (u) => u.error }),
  }),
});

builder.subscriptionField('runUpdates', (t) =>
  t.field({
    type: RunUpdateRef,
    description: 'Runs starting and ending, for dashboards.',
    args: {
      filter: t.arg({
        required: false,
        type: builder.inputType('RunUpdateFilter', {
          fields: (f) => ({
            status: f.field({ type: [RunStatusEnum], required: false }),
            workflowId: f.string({ required: false }),
            pattern: f.field({ type: [PatternEnum], required: false }),
          }),
        }),
      }),
    },
    subscribe: (_root, args, context) =>
      context.engine.runUpdates({
        ...(args.filter?.status?.length ? { status: args.filter.status } : {}),
        ...(args.filter?.workflowId ? { workflowId: workflowRef(args.filter.workflowId).id } : {}),
        ...(args.filter?.pattern?.length ? { pattern: args.filter.pattern } : {}),
      }),
    resolve: eventOf,
  }),
);
