/**
 * The real in-process bus, observed: every run event and run update published is recorded together
 * with whether the store had already committed it at that instant, and a test can make the bus lose
 * one chosen run event (as a shared bus may) to exercise gap filling.
 */

import { InMemoryEventBus, type PayloadOf, type Topic } from '../../src/engine/event-bus.ts';
import type { RunEvent, RunUpdate } from '../../src/engine/events.ts';
import type { RecordingStore } from './recording-store.ts';

export interface Delivery {
  runId: string;
  seq: number;
  type: string;
  /** The store had committed the event when the bus delivered it. */
  committed: boolean;
}

export class RecordingBus extends InMemoryEventBus {
  store: RecordingStore | null = null;
  readonly deliveries: Delivery[] = [];
  readonly updates: { update: RunUpdate; committedStatus: string | undefined }[] = [];
  /** Run events (by `runId#seq`) that the bus loses instead of delivering. */
  readonly drop = new Set<string>();
  readonly #waiters: { runId: string; seq: number; resolve: () => void }[] = [];

  /** Errors thrown by listeners (the bus isolates them); tests can assert there were none. */
  readonly listenerErrors: unknown[];

  constructor() {
    const errors: unknown[] = [];
    super({ onListenerError: (error) => errors.push(error) });
    this.listenerErrors = errors;
  }

  override publish<T extends Topic>(topic: T, payload: PayloadOf<T>): void {
    if (topic.startsWith('run:')) {
      const event = payload as RunEvent;
      this.deliveries.push({
        runId: event.runId,
        seq: event.seq,
        type: event.type,
        committed: this.store?.isCommitted(event.runId, event.seq) ?? false,
      });
      for (const w of this.#waiters.filter((w) => w.runId === event.runId && w.seq <= event.seq)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
      if (this.drop.delete(`${event.runId}#${event.seq}`)) return;
    } else if (topic === 'run.updates') {
      const update = payload as RunUpdate;
      this.updates.push({ update, committedStatus: this.store?.committedStatus.get(update.runId) });
    }
    super.publish(topic, payload);
  }

  /** Resolves once the bus has been handed the run's event `seq` (delivered or dropped). */
  waitForPublished(runId: string, seq: number): Promise<void> {
    if (this.deliveries.some((d) => d.runId === runId && d.seq >= seq)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ runId, seq, resolve }));
  }
}
