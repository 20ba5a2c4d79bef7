/**
 * One circuit breaker per agent, on cockatiel.
 *
 * The breaker wraps the agent's own `process()` call, so it counts the agent's failures (errors and
 * timeouts), not just whether the agent could be found. Input errors and cancellations are not the
 * agent's fault and do not count. Half-open admits `successThreshold` trial calls and closes only when
 * all of them succeed (cockatiel's half-open sampling). Every transition is published with the agent,
 * from, to, time and failure count. Breakers can be reset, isolated and reconfigured while running.
 */

import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { BreakerState, CircuitBreakerTransition } from './events.ts';

export interface CircuitBreakerSettings {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold: number;
  /** Time an open breaker waits before admitting trial calls. Default 60 000 ms. */
  halfOpenAfterMs: number;
  /** Trial calls admitted while half-open; all must succeed to close. Default 3. */
  successThreshold: number;
}

export const DEFAULT_BREAKER_SETTINGS: Readonly<CircuitBreakerSettings> = Object.freeze({
  failureThreshold: 5,
  halfOpenAfterMs: 60_000,
  successThreshold: 3,
});

export interface CircuitBreakerView {
  agent: string;
  state: BreakerState;
  /** Consecutive failures counted by the breaker right now. */
  failureCount: number;
  /** When the breaker last opened; null unless OPEN or HALF_OPEN. */
  openedAt: number | null;
  /** When an OPEN breaker will admit trial calls; null unless OPEN. */
  halfOpenAt: number | null;
  lastFailure: string | null;
  lastTransitionAt: number | null;
  settings: CircuitBreakerSettings;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'CLOSED',
  [CircuitState.Open]: 'OPEN',
  [CircuitState.HalfOpen]: 'HALF_OPEN',
  [CircuitState.Isolated]: 'ISOLATED',
};

interface AgentBreaker {
  agent: string;
  settings: CircuitBreakerSettings;
  policy: CircuitBreakerPolicy;
  counter: ConsecutiveBreaker;
  state: BreakerState;
  isolation: { dispose(): void } | null;
  openedAt: number | null;
  lastFailure: string | null;
  lastTransitionAt: number | null;
  /** Reason to report with the next transition, set by operator actions. */
  pendingReason: string | null;
  stopListening: () => void;
}

export interface CircuitBreakerRegistryOptions {
  /** Decides which errors count as the agent's failure. */
  isFailure: (error: unknown) => boolean;
  /** Describes an error for `lastFailure` and transition reasons. */
  describeError: (error: unknown) => string;
  onTransition: (transition: CircuitBreakerTransition) => void;
  defaults?: Partial<CircuitBreakerSettings>;
}

export class CircuitBreakerRegistry {
  readonly #breakers = new Map<string, AgentBreaker>();
  readonly #overrides = new Map<string, CircuitBreakerSettings>();
  readonly #options: CircuitBreakerRegistryOptions;
  #defaults: CircuitBreakerSettings;

  constructor(options: CircuitBreakerRegistryOptions) {
    this.#options = options;
    this.#defaults = { ...DEFAULT_BREAKER_SETTINGS, ...options.defaults };
  }

  /** Runs `fn` through the agent's breaker; throws cockatiel's BrokenCircuitError when open. */
  execute<T>(agent: string, fn: () => Promise<T>): Promise<T> {
    return this.#get(agent).policy.execute(fn);
  }

  /**
   * True when a call may be made outside the policy: the breaker is closed with no failure counted,
   * where a success leaves cockatiel's state exactly as it is. The caller then reports a failure
   * with {@link recordFailure}. It saves the policy's two async layers on the common path.
   */
  isClean(agent: string): boolean {
    const b = this.#breakers.get(agent);
    return b === undefined || (b.policy.state === CircuitState.Closed && b.counter.state === 0);
  }

  /**
   * Counts the failure of a call made outside the policy exactly as if it had run inside it (the
   * failure is replayed through the policy, which may open the breaker), then rethrows it.
   */
  async recordFailure(agent: string, error: unknown): Promise<never> {
    const policy = this.#get(agent).policy;
    if (policy.state === CircuitState.Closed) await policy.execute(() => Promise.reject(error));
    throw error;
  }

  /** True when a call would not be refused outright (closed, half-open, or open but due for a trial). */
  isAvailable(agent: string): boolean {
    const breaker = this.#breakers.get(agent);
    if (!breaker) return true;
    if (breaker.state === 'ISOLATED') return false;
    if (breaker.state !== 'OPEN') return true;
    return breaker.openedAt !== null && Date.now() - breaker.openedAt >= breaker.settings.halfOpenAfterMs;
  }

  /** True unless CLOSED: the caller must then also bound waits for the half-open decision. */
  isTripped(agent: string): boolean {
    const breaker = this.#breakers.get(agent);
    return breaker !== undefined && breaker.state !== 'CLOSED';
  }

  view(agent: string): CircuitBreakerView {
    const b = this.#get(agent);
    return {
      agent,
      state: b.state,
      failureCount: b.counter.state,
      openedAt: b.state === 'OPEN' || b.state === 'HALF_OPEN' ? b.openedAt : null,
      halfOpenAt: b.state === 'OPEN' && b.openedAt !== null ? b.openedAt + b.settings.halfOpenAfterMs : null,
      lastFailure: b.lastFailure,
      lastTransitionAt: b.lastTransitionAt,
      settings: { ...b.settings },
    };
  }

  /** Closes the breaker and forgets its failures, whatever its state (isolation included). */
  reset(agent: string): CircuitBreakerView {
    const b = this.#get(agent);
    b.isolation = null;
    this.#replacePolicy(b, b.settings, null, 'reset by operator');
    return this.view(agent);
  }

  /** Holds the breaker open until reset: every call is refused with CIRCUIT_OPEN. */
  isolate(agent: string): CircuitBreakerView {
    const b = this.#get(agent);
    if (!b.isolation) {
      b.pendingReason = 'isolated by operator';
      b.isolation = b.policy.isolate();
    }
    return this.view(agent);
  }

  /**
   * Changes settings for one agent, or the defaults of every agent without its own settings when
   * `agent` is null. The breaker keeps its state (an open breaker stays open under the new timing).
   */
  configure(agent: string | null, settings: Partial<CircuitBreakerSettings>): CircuitBreakerSettings {
    if (agent === null) {
      this.#defaults = { ...this.#defaults, ...settings };
      for (const b of this.#breakers.values()) {
        if (!this.#overrides.has(b.agent))
          this.#replacePolicy(b, this.#defaults, b.policy.toJSON(), 'reconfigured by operator');
      }
      return { ...this.#defaults };
    }
    const merged = { ...(this.#overrides.get(agent) ?? this.#defaults), ...settings };
    this.#overrides.set(agent, merged);
    const b = this.#breakers.get(agent);
    if (b) this.#replacePolicy(b, merged, b.policy.toJSON(), 'reconfigured by operator');
    return { ...merged };
  }

  defaults(): CircuitBreakerSettings {
    return { ...this.#defaults };
  }

  /** Agents whose breaker has been used or configured. */
  agents(): string[] {
    return [...new Set([...this.#breakers.keys(), ...this.#overrides.keys()])].sort();
  }

  #get(agent: string): AgentBreaker {
    let b = this.#breakers.get(agent);
    if (!b) {
      const settings = this.#overrides.get(agent) ?? this.#defaults;
      const counter = new ConsecutiveBreaker(settings.failureThreshold);
      b = {
        agent,
        settings,
        counter,
        policy: this.#createPolicy(settings, counter, undefined),
        state: 'CLOSED',
        isolation: null,
        openedAt: null,
        lastFailure: null,
        lastTransitionAt: null,
        pendingReason: null,
        stopListening: () => {},
      };
      this.#listen(b);
      this.#breakers.set(agent, b);
    }
    return b;
  }

  #createPolicy(
    settings: CircuitBreakerSettings,
    counter: ConsecutiveBreaker,
    initialState: unknown,
  ): CircuitBreakerPolicy {
    return circuitBreaker(handleWhen(this.#options.isFailure), {
      breaker: counter,
      halfOpenAfter: settings.halfOpenAfterMs,
      halfOpenSampling: { calls: settings.successThreshold, threshold: 0 },
      ...(initialState === undefined || initialState === null ? {} : { initialState }),
    });
  }

  #replacePolicy(
    b: AgentBreaker,
    settings: CircuitBreakerSettings,
    state: unknown,
    reason: string | null,
  ): void {
    const wasIsolated = b.isolation !== null;
    b.stopListening();
    b.settings = settings;
    b.counter = new ConsecutiveBreaker(settings.failureThreshold);
    b.policy = this.#createPolicy(settings, b.counter, state);
    const next: BreakerState = state === null ? 'CLOSED' : STATE_NAMES[b.policy.state];
    if (next === 'CLOSED') b.openedAt = null;
    this.#listen(b);
    if (wasIsolated) {
      b.isolation = b.policy.isolate();
      return;
    }
    if (next !== b.state) this.#transition(b, next, reason);
  }

  #listen(b: AgentBreaker): void {
    const policy = b.policy;
    const onBreak = policy.onBreak((reason) => {
      if ('error' in reason) b.lastFailure = this.#options.describeError(reason.error);
    });
    const onState = policy.onStateChange((state) => {
      if (b.policy !== policy) return;
      this.#transition(b, STATE_NAMES[state], null);
    });
    b.stopListening = () => {
      onBreak.dispose();
      onState.dispose();
    };
  }

  #transition(b: AgentBreaker, to: BreakerState, reason: string | null): void {
    const from = b.state;
    if (from === to) return;
    const at = Date.now();
    b.state = to;
    b.lastTransitionAt = at;
    if (to === 'OPEN') b.openedAt = at;
    if (to === 'CLOSED') b.openedAt = null;
    if (to !== 'ISOLATED' && from === 'ISOLATED') b.isolation = null;
    const explained =
      reason ??
      b.pendingReason ??
      (to === 'OPEN'
        ? `${b.lastFailure ?? 'failure'} (after ${b.counter.state} consecutive failures)`
        : to === 'HALF_OPEN'
          ? `${b.settings.halfOpenAfterMs} ms elapsed; admitting up to ${b.settings.successThreshold} trial calls`
          : to === 'CLOSED'
            ? `${b.settings.successThreshold} trial calls succeeded`
            : null);
    b.pendingReason = null;
    this.#options.onTransition({
      agent: b.agent,
      from,
      to,
      at,
      failureCount: b.counter.state,
      reason: explained,
    });
  }
}
