/**
 * The abort tree of a run.
 *
 * Cancelling a run, timing it out, or failing a PARALLEL branch fast must abort every agent call in
 * flight below that point, and a step timeout must abort only its own call. Each run, branch group and
 * attempt gets an AbortScope; aborting one aborts its whole subtree at once. This is cheaper than
 * chaining AbortSignals (`AbortSignal.any` costs ~1 µs per call) and lets an attempt reject immediately
 * even when its agent ignores the signal.
 */

export class AbortScope {
  #parent: AbortScope | null;
  // Children form an intrusive doubly linked list in creation order: an attempt joins and leaves its
  // parent's list once per agent call, and a Set's hash table churned 0.4 KB per call doing that.
  #firstChild: AbortScope | null = null;
  #lastChild: AbortScope | null = null;
  #previousSibling: AbortScope | null = null;
  #nextSibling: AbortScope | null = null;
  #onAbort: ((reason: unknown) => void) | null;
  #aborted = false;
  #reason: unknown;

  constructor(parent: AbortScope | null = null, onAbort: ((reason: unknown) => void) | null = null) {
    this.#onAbort = onAbort;
    this.#parent = null;
    if (parent) {
      if (parent.#aborted) {
        this.#aborted = true;
        this.#reason = parent.#reason;
      } else {
        this.#parent = parent;
        const last = parent.#lastChild;
        this.#previousSibling = last;
        if (last) last.#nextSibling = this;
        else parent.#firstChild = this;
        parent.#lastChild = this;
      }
    }
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was aborted: an AbortReason, or whatever the aborting party passed. */
  get reason(): unknown {
    return this.#reason;
  }

  /** A child scope; created already aborted when this scope is. */
  child(onAbort: ((reason: unknown) => void) | null = null): AbortScope {
    return new AbortScope(this, onAbort);
  }

  /** Aborts this scope and every scope below it; later calls are ignored. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#detach();
    this.onAbort(reason);
    // Each child detaches itself as it is aborted, so the list is walked from its head every time;
    // children created meanwhile (by a callback) are born aborted and never join it.
    for (let child = this.#firstChild; child !== null; child = this.#firstChild) child.abort(reason);
  }

  /**
   * Runs once, when the scope is aborted: calls the callback given to the constructor. Hot-path
   * subclasses override it instead, which saves a closure per scope.
   */
  protected onAbort(reason: unknown): void {
    const callback = this.#onAbort;
    this.#onAbort = null;
    if (callback) callback(reason);
  }

  /** Detaches a scope whose work finished, so the parent does not keep it alive. */
  dispose(): void {
    this.#onAbort = null;
    this.#detach();
  }

  #detach(): void {
    const parent = this.#parent;
    if (parent === null) return;
    const previous = this.#previousSibling;
    const next = this.#nextSibling;
    if (previous) previous.#nextSibling = next;
    else parent.#firstChild = next;
    if (next) next.#previousSibling = previous;
    else parent.#lastChild = previous;
    this.#parent = this.#previousSibling = this.#nextSibling = null;
  }
}

/** Why a scope was aborted; decides the status a cancelled run or step ends with. */
export type AbortReason =
  | { kind: 'CANCELLED'; message: string }
  | { kind: 'TIMED_OUT'; message: string }
  | { kind: 'SIBLING_FAILED'; message: string; stepId: string }
  | { kind: 'STEP_TIMEOUT'; message: string; timeoutMs: number }
  | { kind: 'SHUTDOWN'; message: string };

const ABORT_KINDS: ReadonlySet<unknown> = new Set<AbortReason['kind']>([
  'CANCELLED',
  'TIMED_OUT',
  'SIBLING_FAILED',
  'STEP_TIMEOUT',
  'SHUTDOWN',
]);

/**
 * Abort reasons are plain objects. Errors are never abort reasons, although AgentError and
 * OrquestraError also carry a `kind` and a `message`.
 */
export function isAbortReason(value: unknown): value is AbortReason {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    ABORT_KINDS.has((value as { kind?: unknown }).kind) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
