/**
 * The typed errors a client can receive, and the translation from engine errors.
 *
 * Mutations list these in their result unions; queries and subscriptions raise them as GraphQL errors
 * carrying an `extensions.code`, so they are never masked in production. The classes live apart from
 * their GraphQL types (`error-types.ts`) because the builder itself needs NotAuthorizedError.
 */

import { GraphQLError } from 'graphql';
import {
  type ErrorKind,
  isInvalidStateError,
  isNotFoundError,
  isOrquestraError,
  isValidationError,
  type RunStatus,
  ValidationError,
  type ValidationIssue,
} from '../engine/index.ts';
import type { Role } from './context.ts';

abstract class TypedError extends GraphQLError {
  constructor(message: string, code: string) {
    super(message, { extensions: { code } });
  }
}

export class NotAuthorizedError extends TypedError {
  readonly role: Role;
  readonly field: string;
  constructor(role: Role, field: string) {
    super(`the ${role} role may not use "${field}"`, 'NOT_AUTHORIZED');
    this.role = role;
    this.field = field;
  }
}

export class WorkflowNotFoundError extends TypedError {
  readonly workflowId: string;
  constructor(workflowId: string) {
    super(`workflow "${workflowId}" does not exist`, 'NOT_FOUND');
    this.workflowId = workflowId;
  }
}

export class RunNotFoundError extends TypedError {
  readonly runId: string;
  constructor(runId: string) {
    super(`run "${runId}" does not exist`, 'NOT_FOUND');
    this.runId = runId;
  }
}

export class AgentNotFoundError extends TypedError {
  readonly agent: string;
  constructor(agent: string) {
    super(`agent "${agent}" does not exist`, 'NOT_FOUND');
    this.agent = agent;
  }
}

/** The agent's breaker refused the call (and no fallback could take it). */
export class CircuitOpenError extends TypedError {
  readonly agent: string;
  constructor(agent: string, message: string) {
    super(message, 'CIRCUIT_OPEN');
    this.agent = agent;
  }
}

/** A direct agent call failed after its retries and fallback. */
export class AgentCallError extends TypedError {
  readonly kind: ErrorKind;
  readonly agent: string | null;
  constructor(kind: ErrorKind, agent: string | null, message: string) {
    super(message, kind === 'INVALID_INPUT' ? 'BAD_USER_INPUT' : 'AGENT_CALL_FAILED');
    this.kind = kind;
    this.agent = agent;
  }
}

/** The operation does not apply now, e.g. cancelling a run that already ended. */
export class InvalidStateError extends TypedError {
  readonly status: RunStatus | null;
  constructor(message: string, status: RunStatus | null = null) {
    super(message, 'INVALID_STATE');
    this.status = status;
  }
}

/**
 * A rejected input: the engine's ValidationError, so that a mutation returns it as the `ValidationError`
 * member of its union, carrying `extensions` so that anywhere else (a query or subscription argument,
 * a cursor) graphql-js gives the GraphQL error its code and issues and it is never masked.
 */
export class InputValidationError extends ValidationError {
  readonly extensions: { code: 'BAD_USER_INPUT'; issues: ValidationIssue[] };
  constructor(subject: string, issues: readonly ValidationIssue[]) {
    super(subject, issues);
    this.extensions = { code: 'BAD_USER_INPUT', issues: issues.map((issue) => ({ ...issue })) };
  }

  /** The same error, with its message, from one the engine raised. */
  static from(error: ValidationError): InputValidationError {
    if (error instanceof InputValidationError) return error;
    const typed = new InputValidationError('input', error.issues);
    typed.message = error.message;
    return typed;
  }
}

/** Runs `work` and turns engine errors into the typed errors above. */
export async function translateErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateError(error);
  }
}

export function translateError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (isValidationError(error)) return InputValidationError.from(error);
  if (isNotFoundError(error)) {
    if (error.entity === 'workflow') return new WorkflowNotFoundError(error.id);
    if (error.entity === 'run') return new RunNotFoundError(error.id);
    return new AgentNotFoundError(error.id);
  }
  if (isOrquestraError(error)) {
    if (error.kind === 'CIRCUIT_OPEN') return new CircuitOpenError(error.agent ?? 'unknown', error.message);
    return new AgentCallError(error.kind, error.agent ?? null, error.message);
  }
  if (isInvalidStateError(error)) {
    const status = /\((\w+)\)$/.exec(error.message)?.[1] as RunStatus | undefined;
    return new InvalidStateError(error.message, status ?? null);
  }
  return error;
}
