/**
 * Agents for gateway tests. They implement the real {@link Agent} interface; the engine calls them as it
 * calls any agent. Each call is recorded, and a behaviour per action decides the reply: echo, a computed
 * reply, failing, or holding the call until the test releases it (rejecting when the engine aborts it).
 */

import type { Agent, AgentContext, AgentMessage, AgentReply } from '../../../src/agents/agent.ts';
import type { JsonObject, JsonValue } from '../../../src/engine/json.ts';

export interface Call {
  action: string;
  payload: JsonObject;
  runId: string | null;
  stepId: string | null;
  attempt: number;
  signal: AbortSignal;
  /** Settles a held call. */
  release(result?: JsonValue): void;
  fail(error?: unknown): void;
}

export type Behaviour = (call: Call) => Promise<JsonValue> | JsonValue;

export const echo: Behaviour = (call) => ({ action: call.action, payload: call.payload });

/** Replies with `fn(payload)`. */
export const reply =
  (fn: (payload: JsonObject, call: Call) => JsonValue): Behaviour =>
  (call) =>
    fn(call.payload, call);

/** Always throws (an AGENT_FAILURE, which counts against the breaker). */
export const failing =
  (message = 'agent exploded'): Behaviour =>
  () => {
    throw new Error(message);
  };

/** Holds every call until the test calls `release` or `fail`; rejects when the engine aborts it. */
export const held: Behaviour = (call) =>
  new Promise<JsonValue>((resolve, reject) => {
    const settle = (action: () => void) => {
      call.signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => settle(() => reject(new Error('aborted')));
    call.release = (result = { released: true }) => settle(() => resolve(result));
    call.fail = (error = new Error('failed on purpose')) => settle(() => reject(error));
    if (call.signal.aborted) onAbort();
    else call.signal.addEventListener('abort', onAbort);
  });

export class ScriptedAgent implements Agent {
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  readonly actions: readonly { name: string; description: string }[];
  readonly calls: Call[] = [];
  readonly #behaviours = new Map<string, Behaviour>();
  readonly #waiters: { count: number; resolve: (call: Call) => void }[] = [];
  #default: Behaviour;

  constructor(
    name: string,
    options: {
      actions?: string[];
      capabilities?: string[];
      behaviour?: Behaviour;
      behaviours?: Record<string, Behaviour>;
    } = {},
  ) {
    this.name = name;
    this.description = `scripted agent ${name}`;
    this.capabilities = options.capabilities ?? [];
    this.actions = (options.actions ?? ['run']).map((action) => ({
      name: action,
      description: `${action} of ${name}`,
    }));
    this.#default = options.behaviour ?? echo;
    for (const [action, behaviour] of Object.entries(options.behaviours ?? {}))
      this.#behaviours.set(action, behaviour);
  }

  /** Changes the behaviour of one action, or of every action without its own. */
  on(action: string | null, behaviour: Behaviour): this {
    if (action === null) this.#default = behaviour;
    else this.#behaviours.set(action, behaviour);
    return this;
  }

  /** Resolves with the `n`th call (1-based) once it has arrived. */
  call(n: number): Promise<Call> {
    const existing = this.calls[n - 1];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => this.#waiters.push({ count: n, resolve }));
  }

  async process(message: AgentMessage, context: AgentContext): Promise<AgentReply> {
    const call: Call = {
      action: message.action,
      payload: message.payload,
      runId: context.runId,
      stepId: context.stepId,
      attempt: context.attempt,
      signal: context.signal,
      release: () => {
        throw new Error(`call ${message.action} of ${this.name} is not held`);
      },
      fail: () => {
        throw new Error(`call ${message.action} of ${this.name} is not held`);
      },
    };
    this.calls.push(call);
    const behaviour = this.#behaviours.get(message.action) ?? this.#default;
    const result = behaviour(call);
    for (const waiter of [...this.#waiters]) {
      const wanted = this.calls[waiter.count - 1];
      if (wanted) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(wanted);
      }
    }
    return { result: await result };
  }
}
