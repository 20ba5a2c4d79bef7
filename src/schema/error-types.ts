/**
 * GraphQL types of the typed errors: the `Error` interface every one implements with `message`, and
 * one object type per error class.
 */

import { ERROR_KINDS, ValidationError, type ValidationIssue } from '../engine/index.ts';
import { builder } from './builder.ts';
import { RunStatusEnum } from './enums.ts';
import {
  AgentCallError,
  AgentNotFoundError,
  CircuitOpenError,
  InvalidStateError,
  NotAuthorizedError,
  RunNotFoundError,
  WorkflowNotFoundError,
} from './errors.ts';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Every typed error a mutation can return.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

export const ErrorKindEnum = builder.enumType('ErrorKind', {
  description: 'Why an agent call or a run failed.',
  values: ERROR_KINDS,
});

const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  description: 'One problem with an input, at its path (e.g. `steps.2.compensation.action`).',
  fields: (t) => ({ path: t.exposeString('path'), message: t.exposeString('message') }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was rejected; `issues` lists every problem found, not just the first.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [ValidationIssueRef], resolve: (e) => [...e.issues] }) }),
});

builder.objectType(NotAuthorizedError, {
  name: 'NotAuthorizedError',
  description: "The caller's role does not allow this operation.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ role: t.exposeString('role'), field: t.exposeString('field') }),
});

builder.objectType(WorkflowNotFoundError, {
  name: 'WorkflowNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ workflowId: t.exposeString('workflowId') }),
});

builder.objectType(RunNotFoundError, {
  name: 'RunNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ runId: t.exposeString('runId') }),
});

builder.objectType(AgentNotFoundError, {
  name: 'AgentNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ agent: t.exposeString('agent') }),
});

builder.objectType(CircuitOpenError, {
  name: 'CircuitOpenError',
  description: "The agent's circuit breaker is open or isolated; the call was not made.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ agent: t.exposeString('agent') }),
});

builder.objectType(AgentCallError, {
  name: 'AgentCallError',
  description: 'An agent call failed after its retries and fallback.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    kind: t.field({ type: ErrorKindEnum, resolve: (e) => e.kind }),
    agent: t.exposeString('agent', { nullable: true }),
  }),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The operation does not apply in the current state, e.g. cancelling a run that already ended.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.field({ type: RunStatusEnum, nullable: true, resolve: (e) => e.status }) }),
});
