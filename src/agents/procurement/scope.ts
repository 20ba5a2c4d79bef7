/**
 * What a set of contracts covers (agencies, period, total), so an output says what it was computed on and
 * a report or a ranking can name an agency without the contracts at hand.
 */

import type { JsonObject } from '../../engine/json.ts';
import type { ProcurementRecord } from './record.ts';
import { round, sum } from './statistics.ts';

/** Agencies listed by name at most; the count is always exact. */
const MAX_LISTED_AGENCIES = 20;

export function describeScope(records: readonly ProcurementRecord[]): JsonObject {
  const agencies = new Map<string, { name: string; contracts: number; value: number }>();
  let from: string | null = null;
  let to: string | null = null;
  for (const r of records) {
    const entry = agencies.get(r.agency.code) ?? { name: r.agency.name, contracts: 0, value: 0 };
    entry.contracts++;
    entry.value += r.value;
    agencies.set(r.agency.code, entry);
    const day = r.date.slice(0, 10);
    if (from === null || day < from) from = day;
    if (to === null || day > to) to = day;
  }
  const listed = [...agencies]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_LISTED_AGENCIES)
    .map(([code, a]) => ({ code, name: a.name, contracts: a.contracts, value: round(a.value) }));
  return {
    contracts: records.length,
    totalValue: round(sum(records.map((r) => r.value))),
    from,
    to,
    agencyCount: agencies.size,
    agencies: listed,
  };
}
