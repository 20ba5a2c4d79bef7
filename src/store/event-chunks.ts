/**
 * The event log as chunks, shared by the SQLite and PostgreSQL stores.
 *
 * The engine writes a batch per event-loop turn, and a batch nearly always holds several events of
 * each run it touches (a step's STEP_STARTED and STEP_COMPLETED, a whole short run). Storing one row
 * per event made events most of a batch's rows, so the database stores one row per (run, batch): a
 * chunk, holding that batch's events of that run as one JSON array, keyed by the run and its last
 * seq, with the first seq alongside. A run's chunks never overlap: each must start above the last seq
 * already stored for its run (the database checks it, see the migrations) and its own events must
 * strictly increase (checked here). Together that is the contract's "(runId, seq) is unique", and a
 * log that only ever grows, which is what the engine writes.
 *
 * An event is stored as a tuple, `[seq, type, at, stepId, agent, attempt, message, data]`: without
 * key names and without the run id (the chunk's), it takes about 40 % less space than the object and
 * is cheaper to encode. A position added later is appended at the end; older tuples read it as null.
 */

import type { RunEvent, RunEventType } from '../engine/events.ts';
import type { JsonObject } from '../engine/json.ts';

/** One stored event. */
export type EventTuple = [
  seq: number,
  type: string,
  at: number,
  stepId: string | null,
  agent: string | null,
  attempt: number | null,
  message: string,
  data: JsonObject | null,
];

/** A run's events of one write batch, as one row. */
export interface EventChunk {
  runId: string;
  firstSeq: number;
  lastSeq: number;
  /** JSON array of {@link EventTuple}s, in seq order. */
  events: string;
}

/**
 * A chunk holds at most this many events, so that reading from the middle of a long log (a page of
 * `getEvents` starts wherever the reader stopped) parses at most this many events it then skips.
 */
export const MAX_CHUNK_EVENTS = 256;
/** ...and at most about this many characters of JSON (unless one event alone is larger). */
export const MAX_CHUNK_CHARS = 256 * 1024;

/**
 * Why an event with this seq cannot follow seq `last` in its run's log (0 when the log is empty), or
 * null when it can: seqs are integers from 1, strictly increasing. Shared by every store, so that
 * they word a refusal alike.
 */
export function extensionProblem(runId: string, seq: number, last: number): string | null {
  if (Number.isSafeInteger(seq) && seq > last) return null;
  return `event (${runId}, ${seq}) does not extend its run's log, which is at seq ${last}`;
}

/**
 * Groups a batch's events by run, in the order each run first appears, in chunks ready to insert.
 * Throws when a run's events in the batch do not strictly increase (or do not start from 1 or
 * above); that the first one is above what is already stored is for the store to check.
 */
export function chunkEvents(events: readonly RunEvent[]): EventChunk[] {
  const byRun = new Map<string, RunEvent[]>();
  for (const event of events) {
    const ofRun = byRun.get(event.runId);
    const last = ofRun === undefined ? 0 : (ofRun[ofRun.length - 1] as RunEvent).seq;
    const problem = extensionProblem(event.runId, event.seq, last);
    if (problem !== null) throw new Error(problem);
    if (ofRun === undefined) byRun.set(event.runId, [event]);
    else ofRun.push(event);
  }
  const chunks: EventChunk[] = [];
  for (const [runId, ofRun] of byRun) {
    if (ofRun.length <= MAX_CHUNK_EVENTS) addChunks(chunks, runId, ofRun);
    else {
      for (let from = 0; from < ofRun.length; from += MAX_CHUNK_EVENTS) {
        addChunks(chunks, runId, ofRun.slice(from, from + MAX_CHUNK_EVENTS));
      }
    }
  }
  return chunks;
}

/** Encodes the events as one chunk or, when that is too large, as halves (recursively). */
function addChunks(chunks: EventChunk[], runId: string, events: readonly RunEvent[]): void {
  const encoded = encodeEvents(events);
  if (encoded.length > MAX_CHUNK_CHARS && events.length > 1) {
    const half = events.length >>> 1;
    addChunks(chunks, runId, events.slice(0, half));
    addChunks(chunks, runId, events.slice(half));
    return;
  }
  chunks.push({
    runId,
    firstSeq: (events[0] as RunEvent).seq,
    lastSeq: (events[events.length - 1] as RunEvent).seq,
    events: encoded,
  });
}

/** Events as a JSON array of tuples. Absent optional fields are stored as null, as the columns were. */
export function encodeEvents(events: readonly RunEvent[]): string {
  const tuples = new Array<EventTuple>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RunEvent;
    tuples[i] = [
      e.seq,
      e.type,
      e.at,
      e.stepId ?? null,
      e.agent ?? null,
      e.attempt ?? null,
      e.message,
      e.data ?? null,
    ];
  }
  return JSON.stringify(tuples);
}

/**
 * Appends to `into` the events of a chunk (parsed tuples) with seq > afterSeq, until `into` holds
 * `limit` events. Returns false once the limit is reached, so the caller stops reading chunks.
 */
export function collectEvents(
  runId: string,
  tuples: readonly EventTuple[],
  afterSeq: number,
  limit: number,
  into: RunEvent[],
): boolean {
  for (const tuple of tuples) {
    if (into.length >= limit) return false;
    const seq = tuple[0];
    if (seq <= afterSeq) continue;
    into.push({
      runId,
      seq,
      type: tuple[1] as RunEventType,
      at: tuple[2],
      stepId: tuple[3] ?? null,
      agent: tuple[4] ?? null,
      attempt: tuple[5] ?? null,
      message: tuple[6],
      data: tuple[7] ?? null,
    });
  }
  return into.length < limit;
}
