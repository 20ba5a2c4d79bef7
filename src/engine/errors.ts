/**
 * Errors the engine raises and records.
 *
 * Every failure that reaches a run's log is reduced to an {@link ErrorInfo} with a `kind`, because the
 * kind decides what happens next: retry policies skip kinds listed as never retried, circuit breakers
 * count only the agent's own faults, and the gateway maps kinds onto typed GraphQL errors. Classes carry
 * a brand so that `isX()` guards work across module copies, as cockatiel's errors do.
 */

import type { JsonValue } from './json.ts';

export const ERROR_KINDS = [
  /** The step's input is not what the agent accepts. Never retried by default. */
  'INVALID_INPUT',
  /** The agent failed on its own (threw, returned garbage). Counts against its breaker. */
  'AGENT_FAILURE',
  /** An attempt ran past its step timeout. Counts against the agent's breaker. */
  'TIMEOUT',
  /** The agent's breaker is open or isolated; the call was refused without reaching the agent. */
  'CIRCUIT_OPEN',
  /** The agent's bulkhead and its queue are full. */
  'BULKHEAD_FULL',
  /** The run was cancelled or timed out while the step was in flight. */
  'CANCELLED',
  /** No agent of that name is registered. */
  'AGENT_NOT_FOUND',
  /** The agent does not offer the requested action. */
  'ACTION_NOT_SUPPORTED',
  /** No registered, available agent offers the requested capabilities. */
  'NO_AGENT_AVAILABLE',
  /** A workflow-level failure: a saga compensation failed, a choreography stalled, a loop hit maxSteps. */
  'WORKFLOW_FAILURE',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What the log, the store and the API keep of an error. */
export interface ErrorInfo {
  kind: ErrorKind;
  message: string;
  /** The agent that raised it, when there is one. */
  agent?: string;
  /** Structured detail, e.g. the list of compensation failures of a saga. */
  details?: JsonValue;
}

const brand = Symbol.for('orquestra.error');

/** Base class: an error with a kind, convertible to {@link ErrorInfo}. */
export class OrquestraError extends Error {
  readonly [brand] = true;
  override readonly name: string = 'OrquestraError';
  readonly kind: ErrorKind;
  readonly agent: string | undefined;
  readonly details: JsonValue | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { agent?: string; details?: JsonValue; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.agent = options.agent;
    this.details = options.details;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { kind: this.kind, message: this.message };
    if (this.agent !== undefined) info.agent = this.agent;
    if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

export const isOrquestraError = (e: unknown): e is OrquestraError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;

/** Reduces anything thrown to an ErrorInfo; unknown errors are the agent's own failure. */
export function toErrorInfo(error: unknown, agent?: string): ErrorInfo {
  if (isOrquestraError(error)) {
    const info = error.toInfo();
    if (info.agent === undefined && agent !== undefined) info.agent = agent;
    return info;
  }
  const message = error instanceof Error ? error.message : String(error);
  return agent === undefined ? { kind: 'AGENT_FAILURE', message } : { kind: 'AGENT_FAILURE', message, agent };
}

/** One problem found in a workflow definition, with the path of the offending value. */
export interface ValidationIssue {
  /** Dotted path into the definition, e.g. `steps.2.compensation.action`. */
  path: string;
  message: string;
}

const validationBrand = Symbol.for('orquestra.validation-error');

/** A definition or an input was rejected; `issues` lists every problem, not just the first. */
export class ValidationError extends Error {
  readonly [validationBrand] = true;
  override readonly name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssue[]) {
    const first = issues[0];
    const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
    super(`${subject} is invalid: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
    this.issues = issues;
  }
}

export const isValidationError = (e: unknown): e is ValidationError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[validationBrand] === true;

const notFoundBrand = Symbol.for('orquestra.not-found');

/** A workflow, run or agent that the caller named does not exist. */
export class NotFoundError extends Error {
  readonly [notFoundBrand] = true;
  override readonly name = 'NotFoundError';
  readonly entity: 'workflow' | 'run' | 'agent';
  readonly id: string;

  constructor(entity: 'workflow' | 'run' | 'agent', id: string) {
    super(`${entity} "${id}" does not exist`);
    this.entity = entity;
    this.id = id;
  }
}

export const isNotFoundError = (e: unknown): e is NotFoundError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[notFoundBrand] === true;

const stateBrand = Symbol.for('orquestra.invalid-state');

/** The operation does not apply in the entity's current state, e.g. cancelling a finished run. */
export class InvalidStateError extends Error {
  readonly [stateBrand] = true;
  override readonly name = 'InvalidStateError';
}

export const isInvalidStateError = (e: unknown): e is InvalidStateError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[stateBrand] === true;
