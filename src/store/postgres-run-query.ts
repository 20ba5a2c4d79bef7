/**
 * The SQL behind PostgreSQL run lists and counts.
 *
 * Unlike SQLite, PostgreSQL keeps per-value statistics (it knows RUNNING is rare and COMPLETED common),
 * so the query states the filter plainly and lets the planner pick among the (column, started_at, id)
 * indexes. The agent filter is the exception: it walks run_agents' (agent, started_at, run_id) index,
 * which carries the run's keyset order so that no sort is needed.
 */

import type { KeyBound, KeyRange, RunScan, ScanFilter } from './run-pages.ts';

export interface PostgresQuery {
  text: string;
  values: unknown[];
}

export const RUN_SUMMARY_COLUMNS =
  'r.id, r.workflow_id, r.workflow_version, r.pattern, r.status, r.error, ' +
  'r.started_at, r.finished_at, r.duration_ms, r.triggered_by';

/** Largest magnitude passed for a bigint bound; beyond it the bound excludes or includes everything anyway. */
const BIGINT_LIMIT = 9e18;

class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * started_at is a whole number of ms, so a fractional bound moves to the next integer: both
 * `>= 1.5` and `< 1.5` keep the same rows as `>= 2` and `< 2`, whatever the id.
 */
function integral(bound: KeyBound, lower: boolean): KeyBound {
  const startedAt = Math.min(BIGINT_LIMIT, Math.max(-BIGINT_LIMIT, bound.startedAt));
  if (Number.isInteger(startedAt)) return { ...bound, startedAt };
  return { startedAt: Math.ceil(startedAt), id: '', inclusive: lower };
}

interface Keyset {
  startedAt: string;
  id: string;
}

function conditions(filter: ScanFilter, range: KeyRange, keyset: Keyset, params: Parameters): string[] {
  const where: string[] = [];
  if (filter.agent !== undefined) where.push(`a.agent = ${params.add(filter.agent)}`);
  if (filter.workflowId !== undefined) where.push(`r.workflow_id = ${params.add(filter.workflowId)}`);
  for (const [column, values] of [
    ['status', filter.status],
    ['pattern', filter.pattern],
  ] as const) {
    if (values === undefined) continue;
    // A single value is written as equality so that the planner can read the index in order.
    if (values.length === 1) where.push(`r.${column} = ${params.add(values[0])}`);
    else where.push(`r.${column} = ANY(${params.add(values)}::text[])`);
  }
  const bound = (value: KeyBound | null, lower: boolean) => {
    if (value === null) return;
    const { startedAt, id, inclusive } = integral(value, lower);
    const operator = (lower ? '>' : '<') + (inclusive ? '=' : '');
    where.push(
      `(${keyset.startedAt}, ${keyset.id}) ${operator} (${params.add(startedAt)}::bigint, ${params.add(id)}::text)`,
    );
  };
  bound(range.lower, true);
  bound(range.upper, false);
  return where;
}

function fromClause(filter: ScanFilter, needsRuns: boolean): { from: string; keyset: Keyset } {
  if (filter.agent === undefined) {
    return { from: 'runs AS r', keyset: { startedAt: 'r.started_at', id: 'r.id' } };
  }
  return {
    from: needsRuns ? 'run_agents AS a JOIN runs AS r ON r.id = a.run_id' : 'run_agents AS a',
    keyset: { startedAt: 'a.started_at', id: 'a.run_id' },
  };
}

const whereOf = (where: string[]) => (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`);

export function scanQuery(scan: RunScan): PostgresQuery {
  const params = new Parameters();
  const { from, keyset } = fromClause(scan.filter, true);
  const where = whereOf(conditions(scan.filter, scan, keyset, params));
  const direction = scan.descending ? 'DESC' : 'ASC';
  const text =
    `SELECT ${RUN_SUMMARY_COLUMNS} FROM ${from}${where} ` +
    `ORDER BY ${keyset.startedAt} ${direction}, ${keyset.id} ${direction} LIMIT ${params.add(scan.limit)}`;
  return { text, values: params.values };
}

export function countQuery(filter: ScanFilter, range: KeyRange): PostgresQuery {
  const params = new Parameters();
  const needsRuns =
    filter.workflowId !== undefined || filter.status !== undefined || filter.pattern !== undefined;
  const { from, keyset } = fromClause(filter, needsRuns);
  const where = whereOf(conditions(filter, range, keyset, params));
  return { text: `SELECT count(*) AS count FROM ${from}${where}`, values: params.values };
}
