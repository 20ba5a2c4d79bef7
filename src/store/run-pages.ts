/**
 * Relay-style keyset paging over runs, shared by every store.
 *
 * A store only knows how to scan a range of the (startedAt, id) key in one direction with a filter.
 * This module turns a {@link RunPageRequest} into at most two such scans (the page plus one extra row,
 * and a one-row probe on the other side of the cursor), so that the paging rules, their validation
 * and their edge cases live in one place and every dialect answers the same way.
 *
 * The filter's startedAfter/startedBefore and the cursor are merged into one lower and one upper key
 * bound before a store sees them, which is what lets SQL use a single index range for both.
 */

import type { RunFilter, RunPage, RunPageRequest, RunSummary } from '../engine/store.ts';

/** Largest `first`/`last` accepted. */
export const MAX_PAGE_SIZE = 500;
/** Page size when a request gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 50;

/** One end of a range of the (startedAt, id) key. */
export interface KeyBound {
  startedAt: number;
  id: string;
  inclusive: boolean;
}

/** The filters that are not a range of startedAt (those become bounds). */
export type ScanFilter = Pick<RunFilter, 'status' | 'workflowId' | 'pattern' | 'agent'>;

export interface KeyRange {
  lower: KeyBound | null;
  upper: KeyBound | null;
}

export interface RunScan extends KeyRange {
  filter: ScanFilter;
  /** Walk the key from upper to lower. */
  descending: boolean;
  limit: number;
}

/** What a store implements so that {@link pageRuns} and {@link countMatchingRuns} can do the rest. */
export interface RunScanner {
  /** Runs matching the filter within the bounds, in key order (descending when asked), at most `limit`. */
  scanRuns(scan: RunScan): Promise<RunSummary[]>;
  countRuns(filter: ScanFilter, range: KeyRange): Promise<number>;
}

/** A page request that breaks the paging rules; the API reports it as the caller's mistake. */
export class InvalidRunQueryError extends RangeError {
  override readonly name = 'InvalidRunQueryError';
}

/** Orders two keys as the stores do: by startedAt, then by id (code-unit order, bytewise for ASCII ids). */
export function compareKeys(
  a: { startedAt: number; id: string },
  b: { startedAt: number; id: string },
): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function tighterLower(a: KeyBound | null, b: KeyBound): KeyBound {
  if (a === null) return b;
  const order = compareKeys(a, b);
  if (order !== 0) return order > 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterUpper(a: KeyBound | null, b: KeyBound): KeyBound {
  if (a === null) return b;
  const order = compareKeys(a, b);
  if (order !== 0) return order < 0 ? a : b;
  return a.inclusive ? b : a;
}

function checkInstant(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) {
    throw new InvalidRunQueryError(`run filter: ${name} must be a finite epoch-ms number, got ${value}`);
  }
}

/**
 * startedAfter (inclusive) and startedBefore (exclusive) as key bounds. The empty string sorts before
 * every id, so `startedAt >= t` is `(startedAt, id) >= (t, '')` and `startedAt < t` is `< (t, '')`.
 */
export function rangeOf(filter: RunFilter): KeyRange {
  checkInstant('startedAfter', filter.startedAfter);
  checkInstant('startedBefore', filter.startedBefore);
  return {
    lower:
      filter.startedAfter === undefined ? null : { startedAt: filter.startedAfter, id: '', inclusive: true },
    upper:
      filter.startedBefore === undefined
        ? null
        : { startedAt: filter.startedBefore, id: '', inclusive: false },
  };
}

export function scanFilterOf(filter: RunFilter): ScanFilter {
  const scanFilter: ScanFilter = {};
  if (filter.status !== undefined) scanFilter.status = filter.status;
  if (filter.workflowId !== undefined) scanFilter.workflowId = filter.workflowId;
  if (filter.pattern !== undefined) scanFilter.pattern = filter.pattern;
  if (filter.agent !== undefined) scanFilter.agent = filter.agent;
  return scanFilter;
}

/** An empty status or pattern list allows nothing, so it matches no run (it is not "no filter"). */
export function matchesNothing(filter: RunFilter): boolean {
  return filter.status?.length === 0 || filter.pattern?.length === 0;
}

function checkPageSize(name: 'first' | 'last', value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw new InvalidRunQueryError(
      `listRuns: ${name} must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${value}`,
    );
  }
}

function checkCursor(name: 'after' | 'before', cursor: { startedAt: number; id: string }): void {
  if (!Number.isFinite(cursor.startedAt) || typeof cursor.id !== 'string') {
    throw new InvalidRunQueryError(`listRuns: ${name} must be a cursor { startedAt: number, id: string }`);
  }
}

/** Validates a request and reduces it to a direction, a page size and an optional cursor. */
function normalize(request: RunPageRequest) {
  const { first, after, last, before, orderBy } = request;
  if (orderBy !== 'STARTED_AT_DESC' && orderBy !== 'STARTED_AT_ASC') {
    throw new InvalidRunQueryError(
      `listRuns: orderBy must be STARTED_AT_DESC or STARTED_AT_ASC, got ${orderBy}`,
    );
  }
  const forward = first !== undefined || after !== undefined;
  const backward = last !== undefined || before !== undefined;
  if (forward && backward) {
    throw new InvalidRunQueryError(
      'listRuns: page forward (first/after) or backward (last/before), not both at once',
    );
  }
  if (first !== undefined) checkPageSize('first', first);
  if (last !== undefined) checkPageSize('last', last);
  if (after !== undefined) checkCursor('after', after);
  if (before !== undefined) checkCursor('before', before);
  return {
    backward,
    size: (backward ? last : first) ?? DEFAULT_PAGE_SIZE,
    cursor: (backward ? before : after) ?? null,
    descending: orderBy === 'STARTED_AT_DESC',
  };
}

export async function pageRuns(request: RunPageRequest, scanner: RunScanner): Promise<RunPage> {
  const { backward, size, cursor, descending } = normalize(request);
  const range = rangeOf(request.filter);
  if (matchesNothing(request.filter)) return { runs: [], hasNextPage: false, hasPreviousPage: false };
  const filter = scanFilterOf(request.filter);

  // Paging forward walks the key in orderBy's direction, paging backward against it.
  const scanDescending = backward ? !descending : descending;
  let page: KeyRange = range;
  let beyondCursor: KeyRange | null = null;
  if (cursor !== null) {
    const past = { startedAt: cursor.startedAt, id: cursor.id, inclusive: false };
    // The cursor's own run belongs to the other side: it was on the page the cursor came from.
    const atOrBehind = { ...past, inclusive: true };
    if (scanDescending) {
      page = { lower: range.lower, upper: tighterUpper(range.upper, past) };
      beyondCursor = { lower: tighterLower(range.lower, atOrBehind), upper: range.upper };
    } else {
      page = { lower: tighterLower(range.lower, past), upper: range.upper };
      beyondCursor = { lower: range.lower, upper: tighterUpper(range.upper, atOrBehind) };
    }
  }

  const [rows, behind] = await Promise.all([
    scanner.scanRuns({ filter, ...page, descending: scanDescending, limit: size + 1 }),
    beyondCursor === null
      ? Promise.resolve([])
      : scanner.scanRuns({ filter, ...beyondCursor, descending: !scanDescending, limit: 1 }),
  ]);
  const more = rows.length > size;
  if (more) rows.length = size;
  if (backward) {
    rows.reverse();
    return { runs: rows, hasNextPage: behind.length > 0, hasPreviousPage: more };
  }
  return { runs: rows, hasNextPage: more, hasPreviousPage: behind.length > 0 };
}

export async function countMatchingRuns(filter: RunFilter, scanner: RunScanner): Promise<number> {
  const range = rangeOf(filter);
  if (matchesNothing(filter)) return 0;
  return scanner.countRuns(scanFilterOf(filter), range);
}
