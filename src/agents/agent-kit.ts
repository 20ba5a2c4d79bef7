/**
 * What every built-in agent does the same way around its actions: find the handler for the action,
 * refuse a payload that is not an object, stop when the signal fires, and return JSON.
 */

import type { JsonObject, JsonValue } from '../engine/json.ts';
import { type Agent, type AgentContext, type AgentDescriptor, AgentError } from './agent.ts';

export type ActionHandler = (payload: JsonObject, context: AgentContext) => Promise<JsonValue>;

/** Builds an agent from its static descriptor and one handler per action it lists. */
export function createAgent(
  descriptor: AgentDescriptor,
  handlers: Readonly<Record<string, ActionHandler>>,
): Agent {
  const actions = descriptor.actions.map((a) => a.name);
  for (const action of actions) {
    if (!Object.hasOwn(handlers, action))
      throw new Error(`${descriptor.name}: no handler for action ${action}`);
  }
  return {
    name: descriptor.name,
    description: descriptor.description,
    capabilities: descriptor.capabilities,
    actions: descriptor.actions,
    async process(message, context) {
      context.signal.throwIfAborted();
      const handler = actions.includes(message.action) ? handlers[message.action] : undefined;
      if (!handler) {
        throw new AgentError(
          'INVALID_INPUT',
          `${descriptor.name} does not offer action ${JSON.stringify(message.action)}; it offers ${actions.join(', ')}`,
        );
      }
      const payload: unknown = message.payload;
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        throw new AgentError('INVALID_INPUT', 'payload: expected an object', [
          { path: 'payload', message: 'expected an object' },
        ]);
      }
      const result = await handler(payload as JsonObject, context);
      return { result };
    },
  };
}

/** A label echoed in outputs (e.g. the agency of a map item); null when absent, INVALID_INPUT when not text. */
export function readLabel(payload: JsonObject): string | null {
  const label = payload.label;
  if (label === undefined || label === null) return null;
  if (typeof label === 'string') return label;
  if (typeof label === 'number') return String(label);
  throw new AgentError('INVALID_INPUT', 'label: expected a string', [
    { path: 'label', message: 'expected a string' },
  ]);
}
