/**
 * Step executions of a run and their attempts.
 */

import type { ErrorInfo, StepAttempt, StepRunRecord } from '../engine/index.ts';
import { AgentRef } from './agent.ts';
import { builder } from './builder.ts';
import { StepStatusEnum } from './enums.ts';
import { ErrorKindEnum } from './error-types.ts';
import { instant } from './scalars.ts';

export const RunErrorRef = builder.objectRef<ErrorInfo>('RunError').implement({
  description: 'Why a run, a step or an attempt failed.',
  fields: (t) => ({
    kind: t.field({ type: ErrorKindEnum, resolve: (e) => e.kind }),
    message: t.exposeString('message'),
    agent: t.exposeString('agent', { nullable: true }),
    details: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.details ?? null }),
  }),
});

export const StepAttemptRef = builder.objectRef<StepAttempt>('StepAttempt').implement({
  fields: (t) => ({
    attempt: t.exposeInt('attempt'),
    agentName: t.exposeString('agent'),
    fallback: t.exposeBoolean('fallback', { description: "Ran on the step's fallback agent." }),
    startedAt: t.field({ type: 'DateTime', resolve: (a) => instant(a.startedAt) }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => instant(a.finishedAt) }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    error: t.field({ type: RunErrorRef, nullable: true, resolve: (a) => a.error }),
  }),
});

export const StepRunRef = builder.objectRef<StepRunRecord>('StepRun').implement({
  description: 'One execution of a step (a map step executes once per item).',
  fields: (t) => ({
    execution: t.exposeInt('execution', { description: '1, 2, 3, ... in the order executions started.' }),
    stepId: t.exposeString('stepId'),
    itemIndex: t.exposeInt('itemIndex', { nullable: true }),
    agentName: t.exposeString('agent', { nullable: true }),
    agent: t.loadable({
      type: AgentRef,
      nullable: true,
      description: 'The agent, while it is registered; `agentName` keeps its name for history.',
      load: async (names: string[], context) => names.map((name) => context.engine.describeAgent(name)),
      resolve: (s) => s.agent,
    }),
    action: t.exposeString('action'),
    status: t.field({ type: StepStatusEnum, resolve: (s) => s.status }),
    attempts: t.exposeInt('attempts'),
    attemptLog: t.field({ type: [StepAttemptRef], resolve: (s) => s.attemptLog }),
    startedAt: t.field({ type: 'DateTime', resolve: (s) => instant(s.startedAt) }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => instant(s.finishedAt) }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    output: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.output }),
    error: t.field({ type: RunErrorRef, nullable: true, resolve: (s) => s.error }),
  }),
});
