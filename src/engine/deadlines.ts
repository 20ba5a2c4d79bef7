/**
 * Step deadlines without a timer per step.
 *
 * Every agent call has a deadline, and nearly all calls share a few timeout values (the 300 s default
 * or a workflow's own). Deadlines are kept in one FIFO list per distinct duration, so the head of each
 * list is its earliest deadline and one timer per list suffices; cancelling is an O(1) unlink. A timer
 * per call costs ~0.4 µs and cockatiel's TimeoutPolicy ~2-5 µs, which alone would exceed the engine's
 * per-step budget.
 */

/** What a deadline calls when it expires: a function, or an object with `expire()` (no closure needed). */
export type DeadlineTarget = (() => void) | { expire(): void };

class DeadlineList {
  head: Deadline | null = null;
  tail: Deadline | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
}

/** A scheduled deadline; `cancel()` is safe to call any number of times. */
export class Deadline {
  due: number;
  target: DeadlineTarget | null;
  prev: Deadline | null;
  next: Deadline | null = null;
  readonly list: DeadlineList;

  constructor(due: number, target: DeadlineTarget, list: DeadlineList) {
    this.due = due;
    this.target = target;
    this.list = list;
    this.prev = list.tail;
  }

  cancel(): void {
    if (!this.target) return;
    this.target = null;
    const list = this.list;
    if (this.prev) this.prev.next = this.next;
    else list.head = this.next;
    if (this.next) this.next.prev = this.prev;
    else list.tail = this.prev;
    this.prev = this.next = null;
    // An idle list's timer no longer keeps the process alive, so an idle engine holds none that do.
    // It stays armed: the next deadline of the list, never due before it, takes it over with ref(),
    // which costs far less than clearing and arming a timer for every run of a sequential workload.
    if (!list.head && list.timer) list.timer.unref();
  }
}

export class DeadlineScheduler {
  readonly #lists = new Map<number, DeadlineList>();

  /** Calls `target` after `ms` milliseconds unless cancelled first. */
  schedule(ms: number, target: DeadlineTarget): Deadline {
    let list = this.#lists.get(ms);
    if (!list) {
      list = new DeadlineList();
      this.#lists.set(ms, list);
    }
    const entry = new Deadline(Date.now() + ms, target, list);
    if (list.tail) list.tail.next = entry;
    else {
      list.head = entry;
      list.timer?.ref();
    }
    list.tail = entry;
    if (!list.timer) this.#arm(list, entry.due);
    return entry;
  }

  /** Stops all timers; pending deadlines never fire. */
  clear(): void {
    for (const list of this.#lists.values()) {
      if (list.timer) clearTimeout(list.timer);
      list.timer = null;
      list.head = list.tail = null;
    }
    this.#lists.clear();
  }

  #arm(list: DeadlineList, due: number): void {
    list.timer = setTimeout(() => this.#expire(list), Math.max(0, due - Date.now()));
  }

  #expire(list: DeadlineList): void {
    list.timer = null;
    const now = Date.now();
    for (let entry = list.head; entry && entry.due <= now; entry = list.head) {
      const target = entry.target;
      entry.cancel();
      if (typeof target === 'function') target();
      else target?.expire();
    }
    if (list.head && !list.timer) this.#arm(list, list.head.due);
  }
}
