/**
 * The contract between the orchestrator and an agent, both ways.
 *
 * The engine sends an {@link AgentMessage} (`action` + `payload`) with an {@link AgentContext}, and the
 * agent resolves with an {@link AgentReply} (`result`) or throws. There is no second shape anywhere: the
 * engine, HTTP agents and the `executeAgent` mutation all speak this one. Agents know nothing of GraphQL
 * or of the engine's internals.
 */

import type { JsonObject, JsonValue } from '../engine/json.ts';

export interface AgentActionDescriptor {
  /** The action name a step puts in `action`, e.g. `detect_anomalies`. */
  name: string;
  description: string;
  /** The payload keys the action reads, with a one-line description each (documentation, not a schema). */
  parameters?: Record<string, string>;
}

/** What can be known about an agent without loading its code. */
export interface AgentDescriptor {
  /** Unique, lowercase, e.g. `zumbi`. */
  name: string;
  description: string;
  /** Capabilities offered, e.g. `anomaly_detection`; used by capability discovery and best-agent selection. */
  capabilities: readonly string[];
  actions: readonly AgentActionDescriptor[];
}

export interface AgentMessage {
  action: string;
  payload: JsonObject;
}

export interface AgentContext {
  /** The run this call belongs to; null for a direct `executeAgent` call. */
  runId: string | null;
  stepId: string | null;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /**
   * Aborted when the step times out, the run is cancelled or the workflow times out. Agents should stop
   * work and reject; one that ignores it is abandoned (the step fails anyway and the run moves on).
   */
  signal: AbortSignal;
}

export interface AgentReply {
  result: JsonValue;
}

export interface Agent extends AgentDescriptor {
  process(message: AgentMessage, context: AgentContext): Promise<AgentReply>;
}

/** An agent whose code is loaded on first use; its descriptor is known up front. */
export interface AgentManifest extends AgentDescriptor {
  load(): Promise<Agent>;
}

const brand = Symbol.for('orquestra.agent-error');

/**
 * What an agent throws to say why it failed. `INVALID_INPUT` means the caller sent something the agent
 * cannot work on: it is not retried and does not count against the agent's circuit breaker.
 */
export class AgentError extends Error {
  readonly [brand] = true;
  override readonly name = 'AgentError';
  readonly kind: 'INVALID_INPUT' | 'AGENT_FAILURE';
  readonly details: JsonValue | undefined;

  constructor(kind: 'INVALID_INPUT' | 'AGENT_FAILURE', message: string, details?: JsonValue) {
    super(message);
    this.kind = kind;
    this.details = details;
  }
}

export const isAgentError = (e: unknown): e is AgentError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
