/**
 * The SQL behind SQLite run lists and counts.
 *
 * SQLite's planner has no per-value statistics (it cannot know that RUNNING is rare and COMPLETED
 * common), and a wrong guess turns a 50-row page into a sort of the whole table. So the query names
 * the index that drives it, picked from the filter: agent, else workflowId, else status, else pattern,
 * else the bare (started_at, id) order. Every one of those indexes ends with (started_at, id), so a
 * page is one range scan that stops after `limit` rows. A list of several statuses (or patterns) is a
 * UNION ALL of one such scan per value, each stopping after `limit` rows, merged and cut again.
 */

import type { SQLInputValue } from 'node:sqlite';
import type { KeyBound, KeyRange, RunScan, ScanFilter } from './run-pages.ts';

export interface SqliteQuery {
  sql: string;
  params: SQLInputValue[];
}

export const RUN_SUMMARY_COLUMNS =
  'r.id, r.workflow_id, r.workflow_version, r.pattern, r.status, r.error, ' +
  'r.started_at, r.finished_at, r.duration_ms, r.triggered_by';

/** The table (and index) that drives a scan, and the columns that hold its key. */
interface Driver {
  from: string;
  startedAt: string;
  id: string;
  /** The filter condition the driving index satisfies, and its value. */
  condition: string | null;
  value: string | null;
}

const questionMarks = (count: number) => new Array(count).fill('?').join(', ');

function boundConditions(driver: Driver, range: KeyRange, params: SQLInputValue[]): string[] {
  const conditions: string[] = [];
  const add = (bound: KeyBound | null, strict: string, inclusive: string) => {
    if (bound === null) return;
    conditions.push(`(${driver.startedAt}, ${driver.id}) ${bound.inclusive ? inclusive : strict} (?, ?)`);
    params.push(bound.startedAt, bound.id);
  };
  add(range.lower, '>', '>=');
  add(range.upper, '<', '<=');
  return conditions;
}

/** The conditions of the filter that the driving index does not already satisfy. */
function residualConditions(filter: ScanFilter, driver: Driver, params: SQLInputValue[]): string[] {
  const conditions: string[] = [];
  if (filter.workflowId !== undefined && driver.condition !== 'r.workflow_id = ?') {
    conditions.push('r.workflow_id = ?');
    params.push(filter.workflowId);
  }
  if (filter.status !== undefined && driver.condition !== 'r.status = ?') {
    conditions.push(`r.status IN (${questionMarks(filter.status.length)})`);
    params.push(...filter.status);
  }
  if (filter.pattern !== undefined && driver.condition !== 'r.pattern = ?') {
    conditions.push(`r.pattern IN (${questionMarks(filter.pattern.length)})`);
    params.push(...filter.pattern);
  }
  return conditions;
}

function runsDriver(index: string, condition: string | null, value: string | null): Driver {
  return { from: `runs AS r INDEXED BY ${index}`, startedAt: 'r.started_at', id: 'r.id', condition, value };
}

/** One driver per value scanned: several when a status or pattern list must be merged. */
function driversFor(filter: ScanFilter): Driver[] {
  if (filter.agent !== undefined) {
    // CROSS JOIN keeps run_agents as the outer loop, so its index provides the order.
    return [
      {
        from: 'run_agents AS a INDEXED BY run_agents_by_agent CROSS JOIN runs AS r ON r.key = a.run_key',
        startedAt: 'a.started_at',
        id: 'a.run_id',
        condition: 'a.agent = ?',
        value: filter.agent,
      },
    ];
  }
  if (filter.workflowId !== undefined) {
    return [runsDriver('runs_by_workflow', 'r.workflow_id = ?', filter.workflowId)];
  }
  if (filter.status !== undefined) {
    return filter.status.map((status) => runsDriver('runs_by_status', 'r.status = ?', status));
  }
  if (filter.pattern !== undefined) {
    return filter.pattern.map((pattern) => runsDriver('runs_by_pattern', 'r.pattern = ?', pattern));
  }
  return [runsDriver('runs_by_started_at', null, null)];
}

function whereClause(filter: ScanFilter, driver: Driver, range: KeyRange, params: SQLInputValue[]): string {
  const conditions: string[] = [];
  if (driver.condition !== null) {
    conditions.push(driver.condition);
    params.push(driver.value);
  }
  conditions.push(...boundConditions(driver, range, params), ...residualConditions(filter, driver, params));
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

export function scanQuery(scan: RunScan): SqliteQuery {
  const params: SQLInputValue[] = [];
  const direction = scan.descending ? 'DESC' : 'ASC';
  const arms = driversFor(scan.filter).map((driver) => {
    const where = whereClause(scan.filter, driver, scan, params);
    params.push(scan.limit);
    return (
      `SELECT ${RUN_SUMMARY_COLUMNS} FROM ${driver.from}${where} ` +
      `ORDER BY ${driver.startedAt} ${direction}, ${driver.id} ${direction} LIMIT ?`
    );
  });
  if (arms.length === 1) return { sql: arms[0] as string, params };
  params.push(scan.limit);
  const merged = arms.map((arm) => `SELECT * FROM (${arm})`).join(' UNION ALL ');
  return { sql: `${merged} ORDER BY started_at ${direction}, id ${direction} LIMIT ?`, params };
}

export function countQuery(filter: ScanFilter, range: KeyRange): SqliteQuery {
  const params: SQLInputValue[] = [];
  let driver: Driver;
  if (filter.agent !== undefined) {
    driver = driversFor(filter)[0] as Driver;
    const onlyAgent =
      filter.workflowId === undefined && filter.status === undefined && filter.pattern === undefined;
    // Counting index entries is enough then: no need to visit the runs.
    if (onlyAgent) driver = { ...driver, from: 'run_agents AS a INDEXED BY run_agents_by_agent' };
  } else if (filter.workflowId !== undefined) {
    driver = driversFor(filter)[0] as Driver;
  } else if (filter.status !== undefined) {
    // Counting needs no order, so one IN over the index does for a list of values.
    driver = runsDriver('runs_by_status', null, null);
  } else if (filter.pattern !== undefined) {
    driver = runsDriver('runs_by_pattern', null, null);
  } else {
    driver = runsDriver('runs_by_started_at', null, null);
  }
  const where = whereClause(filter, driver, range, params);
  return { sql: `SELECT count(*) AS count FROM ${driver.from}${where}`, params };
}
