/** Calling agents directly in tests: a context outside any run, and the result as a plain object. */

import type { Agent, AgentContext } from '../../../src/agents/agent.ts';
import type { JsonObject } from '../../../src/engine/json.ts';

export function directContext(signal: AbortSignal = new AbortController().signal): AgentContext {
  return { runId: null, stepId: null, attempt: 1, signal };
}

export function runContext(runId: string, stepId: string, attempt = 1): AgentContext {
  return { runId, stepId, attempt, signal: new AbortController().signal };
}

/** Calls `action` and returns the result, which every built-in agent returns as a JSON object. */
export async function call(
  agent: Agent,
  action: string,
  payload: JsonObject,
  context: AgentContext = directContext(),
): Promise<Record<string, unknown>> {
  const { result } = await agent.process({ action, payload }, context);
  return result as Record<string, unknown>;
}

/** The rejection of a call, for asserting on AgentError kind and details. */
export async function failure(
  agent: Agent,
  action: string,
  payload: JsonObject,
  context: AgentContext = directContext(),
): Promise<{ kind: string; message: string; details: unknown }> {
  try {
    await agent.process({ action, payload }, context);
  } catch (error) {
    const e = error as { kind?: string; message: string; details?: unknown };
    return { kind: e.kind ?? 'THROWN', message: e.message, details: e.details };
  }
  throw new Error(`${agent.name}.${action} was expected to fail`);
}

/** A finding as the agents return it, for reading in tests. */
export interface FindingView {
  id: string;
  type: string;
  severity: string;
  score: number;
  title: string;
  contractIds: string[];
  evidence: Record<string, unknown>;
  agent: string;
}

export function findingsOf(result: Record<string, unknown>): FindingView[] {
  return result.findings as FindingView[];
}

export function findingById(result: Record<string, unknown>, id: string): FindingView {
  const found = findingsOf(result).find((f) => f.id === id);
  if (!found)
    throw new Error(
      `no finding ${id}; have ${findingsOf(result)
        .map((f) => f.id)
        .join(', ')}`,
    );
  return found;
}
