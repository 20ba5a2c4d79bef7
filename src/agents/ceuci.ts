/**
 * Ceuci: ETL for workflows (`load_contracts`, `group_by_agency`).
 *
 * A load step at the head of a workflow validates the contracts once (inline or from a built-in dataset)
 * and hands normalized records on, with where they came from; later steps map over them or group them.
 */

import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent } from './agent-kit.ts';
import { CEUCI } from './descriptors.ts';
import { groupBy } from './detectors/group-by.ts';
import { type ProcurementRecord, recordToJson } from './procurement/record.ts';
import { resolveContracts } from './procurement/resolve-contracts.ts';
import { round, sum } from './procurement/statistics.ts';

async function loadContracts(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const { records, source } = await resolveContracts(payload, signal);
  signal.throwIfAborted();
  return { contracts: records.map(recordToJson), count: records.length, source };
}

async function groupByAgency(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const { records, source } = await resolveContracts(payload, signal);
  signal.throwIfAborted();
  const groups = groupBy(records, (r) => r.agency.code).map(([code, own]) => ({
    key: code,
    agency: { code, name: (own[0] as ProcurementRecord).agency.name },
    contracts: own.map(recordToJson),
    count: own.length,
    totalValue: round(sum(own.map((r) => r.value))),
  }));
  return { groups, count: groups.length, source };
}

export function createCeuciAgent(): Agent {
  return createAgent(CEUCI, { load_contracts: loadContracts, group_by_agency: groupByAgency });
}
