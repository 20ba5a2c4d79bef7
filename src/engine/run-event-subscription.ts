/**
 * Following a run's event log: every event after `afterSeq`, exactly once and in seq order.
 *
 * The subscription to the run's topic starts first (and is live, on a shared bus), then the stored
 * events are read; live events that arrive meanwhile are held back and delivered after them, and seq
 * numbers drop what both paths carried. Because an event is published only after it is stored, there
 * is no gap at the seam; a gap opened by a bus that lost a message is filled from the store. The
 * stream ends after the run's terminal event.
 */

import { NotFoundError } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import { EventStream } from './event-stream.ts';
import { isTerminalEventType, type RunEvent, runTopic } from './events.ts';
import type { RunStore } from './store.ts';

export interface RunEventSource {
  bus: EventBus;
  store: RunStore;
  /** Whether the run executes in this process (it may not be stored yet). */
  isLive(runId: string): boolean;
}

/** @throws NotFoundError for an unknown run. */
export async function followRunEvents(
  source: RunEventSource,
  runId: string,
  afterSeq: number,
): Promise<EventStream<RunEvent>> {
  const stream = new EventStream<RunEvent>();
  let last = afterSeq;
  // Live events are held back while stored ones are read, or while a gap is being filled.
  let held: RunEvent[] | null = [];
  const deliver = (event: RunEvent) => {
    if (stream.closed) return;
    if (event.seq > last) {
      stream.push(event);
      last = event.seq;
    }
    // A terminal event ends the stream even when the subscriber had already seen it (afterSeq past it).
    if (isTerminalEventType(event.type)) stream.end();
  };
  const catchUp = async (): Promise<void> => {
    for (;;) {
      const page = await source.store.getEvents(runId, last, 1000);
      for (const event of page) deliver(event);
      if (page.length < 1000 || stream.closed) break;
    }
    while (held?.length && !stream.closed) {
      const pending = held;
      held = [];
      for (const event of pending) {
        // Only a bus that loses or reorders messages opens a gap; fill it from the store.
        if (event.seq > last + 1) {
          held = [event, ...pending.slice(pending.indexOf(event) + 1), ...held];
          await catchUp();
          return;
        }
        deliver(event);
      }
    }
    held = null;
  };
  const subscription = source.bus.subscribe(runTopic(runId), (event) => {
    if (held) held.push(event);
    else if (event.seq > last + 1) {
      held = [event];
      catchUp().catch((error: unknown) => stream.fail(error));
    } else deliver(event);
  });
  stream.onDispose(() => subscription.dispose());
  let ended = false;
  try {
    // On a shared bus, reading the store before the subscription is live could miss an event
    // published in between (the run's last one, even) for good.
    await subscription.ready;
    if (!source.isLive(runId)) {
      const [record] = await source.store.getRuns([runId]);
      if (!record) throw new NotFoundError('run', runId);
      ended = record.status !== 'RUNNING';
    }
    await catchUp();
  } catch (error) {
    // The caller never gets the stream, so release its listener here.
    await stream.return();
    throw error;
  }
  // An ended run has stored its whole log: if the replay held no terminal event (afterSeq at or past
  // it), nothing more will come, so the stream ends rather than wait forever.
  if (ended) stream.end();
  return stream;
}
