/**
 * Programmable agents for engine tests. They implement the real {@link Agent} interface (nothing of the
 * engine is mocked): each call is recorded with the exact message and context it got, concurrency is
 * measured, and a behaviour per action decides the reply: succeed, fail N times then succeed, hang
 * (honouring or ignoring the AbortSignal), or wait until the test settles the call by hand.
 */

import type { Agent, AgentContext, AgentManifest, AgentMessage, AgentReply } from '../../src/agents/agent.ts';
import { AgentError } from '../../src/agents/agent.ts';
import type { JsonObject, JsonValue } from '../../src/engine/json.ts';

/** One call an agent received. */
export interface AgentCall {
  /** 0, 1, 2, ... across all actions of this agent. */
  index: number;
  /** The message exactly as the engine sent it. */
  message: AgentMessage;
  action: string;
  payload: JsonObject;
  runId: string | null;
  stepId: string | null;
  attempt: number;
  signal: AbortSignal;
  /** Settled (resolved or rejected) by the agent; a call that ignores its signal may never settle. */
  settled: boolean;
  /** For `controlled()` behaviours: settle the call from the test. */
  resolve: (result: JsonValue) => void;
  reject: (error: unknown) => void;
  /** What `resolve`/`reject` settle; `controlled()` replies with it. */
  manualReply: Promise<AgentReply>;
}

/** Decides the reply to one call. `nth` counts the calls of this action, from 1. */
export type Behaviour = (call: AgentCall, nth: number) => Promise<AgentReply> | AgentReply;

export interface TestAgentOptions {
  actions?: string[];
  capabilities?: string[];
  description?: string;
  /** Behaviour per action; actions without one echo `{ action, payload }`. */
  behaviours?: Record<string, Behaviour>;
}

export class TestAgent implements Agent {
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  readonly actions: readonly { name: string; description: string }[];
  readonly calls: AgentCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #behaviours = new Map<string, Behaviour>();
  readonly #counts = new Map<string, number>();
  readonly #callWaiters: { count: number; resolve: () => void }[] = [];
  readonly #settleWaiters: { count: number; resolve: () => void }[] = [];
  #settledCount = 0;

  constructor(name: string, options: TestAgentOptions = {}) {
    this.name = name;
    this.description = options.description ?? `test agent ${name}`;
    this.capabilities = options.capabilities ?? [];
    this.actions = (options.actions ?? ['run']).map((a) => ({ name: a, description: `${a} of ${name}` }));
    for (const [action, behaviour] of Object.entries(options.behaviours ?? {}))
      this.#behaviours.set(action, behaviour);
  }

  /** Sets the behaviour of an action (for every later call). */
  on(action: string, behaviour: Behaviour): this {
    this.#behaviours.set(action, behaviour);
    return this;
  }

  callsOf(action: string): AgentCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Resolves once this agent has received at least `count` calls (no polling, no sleep). */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#callWaiters.push({ count, resolve }));
  }

  /** Resolves once at least `count` calls of this agent have settled. */
  waitForSettled(count: number): Promise<void> {
    if (this.#settledCount >= count) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push({ count, resolve }));
  }

  async process(message: AgentMessage, context: AgentContext): Promise<AgentReply> {
    let resolve!: (result: JsonValue) => void;
    let reject!: (error: unknown) => void;
    const manual = new Promise<AgentReply>((res, rej) => {
      resolve = (result) => res({ result });
      reject = rej;
    });
    manual.catch(() => {});
    const call: AgentCall = {
      index: this.calls.length,
      message,
      action: message.action,
      payload: message.payload,
      runId: context.runId,
      stepId: context.stepId,
      attempt: context.attempt,
      signal: context.signal,
      settled: false,
      resolve,
      reject,
      manualReply: manual,
    };
    this.calls.push(call);
    const nth = (this.#counts.get(message.action) ?? 0) + 1;
    this.#counts.set(message.action, nth);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (const waiter of [...this.#callWaiters]) {
      if (this.calls.length >= waiter.count) {
        this.#callWaiters.splice(this.#callWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    const behaviour = this.#behaviours.get(message.action) ?? echo();
    try {
      return await behaviour(call, nth);
    } finally {
      this.inFlight--;
      call.settled = true;
      this.#settledCount++;
      for (const waiter of [...this.#settleWaiters]) {
        if (this.#settledCount >= waiter.count) {
          this.#settleWaiters.splice(this.#settleWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  }
}

/** Replies `{ action, payload }`. */
export const echo =
  (): Behaviour =>
  ({ action, payload }) => ({ result: { action, payload } });

/** Replies with a fixed result, or one computed from the payload. */
export const reply =
  (result: JsonValue | ((payload: JsonObject, call: AgentCall) => unknown)): Behaviour =>
  (call) => ({ result: (typeof result === 'function' ? result(call.payload, call) : result) as JsonValue });

/** Throws `error` (a plain Error by default: an AGENT_FAILURE). */
export const fail =
  (error: unknown = new Error('boom')): Behaviour =>
  () => {
    throw error;
  };

/** Fails the first `times` calls of the action, then behaves as `then`. */
export const failTimes =
  (times: number, then: Behaviour = echo(), error: () => unknown = () => new Error('flaky')): Behaviour =>
  (call, nth) => {
    if (nth <= times) throw error();
    return then(call, nth);
  };

/** Never answers on its own; rejects with the signal's reason when aborted, unless it ignores the signal. */
export const hang =
  (options: { ignoreSignal?: boolean } = {}): Behaviour =>
  (call) =>
    new Promise<AgentReply>((_, reject) => {
      if (!options.ignoreSignal) {
        call.signal.addEventListener('abort', () => reject(new Error('aborted by signal')), { once: true });
      }
    });

/** Waits until the test settles the call with `call.resolve(result)` or `call.reject(error)`; honours the signal. */
export const controlled =
  (options: { ignoreSignal?: boolean } = {}): Behaviour =>
  (call) => {
    if (!options.ignoreSignal) {
      call.signal.addEventListener('abort', () => call.reject(new Error('aborted by signal')), {
        once: true,
      });
    }
    return call.manualReply;
  };

/** An input error: never retried, never counted against the breaker. */
export const invalidInput = (message = 'bad input'): AgentError => new AgentError('INVALID_INPUT', message);

/**
 * A lazily loaded agent: the descriptor is known up front, `load()` is counted and resolves with the
 * agent (after `gate`, when given, so that concurrent first calls can be made to overlap).
 */
export function lazyManifest(
  agent: TestAgent,
  gate?: Promise<void>,
): AgentManifest & { loads: number; loaded: TestAgent } {
  const manifest = {
    name: agent.name,
    description: agent.description,
    capabilities: agent.capabilities,
    actions: agent.actions,
    loads: 0,
    loaded: agent,
    async load(): Promise<Agent> {
      manifest.loads++;
      if (gate) await gate;
      return agent;
    },
  };
  return manifest;
}

/** A promise with its settle functions, for gates. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
