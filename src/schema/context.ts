/**
 * What every resolver receives: the engine and the caller's role. Built per request (HTTP, SSE) or
 * per operation (WebSocket) by the server; DataLoaders hang off this object, so they live exactly as
 * long as one operation, except that a subscription empties them for each event (`eventOf`).
 */

import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { Orchestrator } from '../engine/index.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface GraphQLContext {
  engine: Orchestrator;
  /** The caller's role; `admin` for everyone when the gateway runs without API keys. */
  role: Role;
}

/** viewer < operator < admin: each role can do everything the previous one can. */
export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/**
 * The resolver of every subscription field: a subscription executes all its events with one context,
 * so its loaders are emptied first, and each event reads current data rather than what an earlier
 * event cached (a run loaded RUNNING would otherwise stay RUNNING for the life of the subscription).
 */
export function eventOf<T>(event: T, _args: unknown, context: GraphQLContext): T {
  clearAllDataLoaders(context);
  return event;
}
