/**
 * Oxóssi: fraud indicators over contract values (`detect_fraud_indicators`).
 *
 * Forensic tests on the amounts themselves: Benford's first-digit law, identical values repeated across
 * purchases, and a preference for round values. They point at values that may have been set rather than
 * priced; each result says how strong the evidence is and what else could explain it.
 */

import { z } from 'zod';
import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent, readLabel } from './agent-kit.ts';
import { OXOSSI } from './descriptors.ts';
import { benfordTest } from './detectors/benford.ts';
import { detectRepeatedValues } from './detectors/repeated-values.ts';
import { detectRoundValues } from './detectors/round-values.ts';
import { OXOSSI_TESTS, OXOSSI_PARAMETERS as P } from './parameter-tables.ts';
import { analysisOutput, type FindingDraft, makeFinding } from './procurement/findings.ts';
import { parametersToJson, parseParameters } from './procurement/parameters.ts';
import type { ProcurementRecord } from './procurement/record.ts';
import { resolveContracts } from './procurement/resolve-contracts.ts';
import { describeScope } from './procurement/scope.ts';

const parametersSchema = z.strictObject({
  tests: z
    .array(z.enum(OXOSSI_TESTS))
    .min(1)
    .default(() => [...OXOSSI_TESTS]),
  benfordMinValue: z.number().min(0).default(P.benfordMinValue.default),
  benfordMinSample: z.number().int().min(1).default(P.benfordMinSample.default),
  benfordMadThreshold: z.number().gt(0).default(P.benfordMadThreshold.default),
  repeatedMinOccurrences: z.number().int().min(2).default(P.repeatedMinOccurrences.default),
  repeatedMinValue: z.number().min(0).default(P.repeatedMinValue.default),
  roundUnit: z.number().gt(0).default(P.roundUnit.default),
  roundMinValue: z.number().min(0).default(P.roundMinValue.default),
  roundShareThreshold: z.number().gt(0).lte(1).default(P.roundShareThreshold.default),
  roundMinCount: z.number().int().min(1).default(P.roundMinCount.default),
});

export type OxossiParameters = z.output<typeof parametersSchema>;

export function parseOxossiParameters(raw: unknown): OxossiParameters {
  return parseParameters(parametersSchema, raw, Object.keys(P));
}

export function runOxossiTests(
  records: readonly ProcurementRecord[],
  parameters: OxossiParameters,
  signal?: AbortSignal,
): { drafts: FindingDraft[]; stats: JsonObject; benford: JsonObject | null } {
  const drafts: FindingDraft[] = [];
  const stats: JsonObject = {};
  let benford: JsonObject | null = null;
  if (parameters.tests.includes('BENFORD_DEVIATION')) {
    signal?.throwIfAborted();
    const result = benfordTest(records, parameters);
    drafts.push(...result.drafts);
    benford = result.table;
  }
  if (parameters.tests.includes('REPEATED_VALUE')) {
    signal?.throwIfAborted();
    const result = detectRepeatedValues(records, parameters);
    drafts.push(...result.drafts);
    stats.REPEATED_VALUE = result.stats;
  }
  if (parameters.tests.includes('ROUND_VALUE_PREFERENCE')) {
    signal?.throwIfAborted();
    const result = detectRoundValues(records, parameters);
    drafts.push(...result.drafts);
    stats.ROUND_VALUE_PREFERENCE = result.stats;
  }
  return { drafts, stats, benford };
}

async function detectFraudIndicators(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseOxossiParameters(payload.parameters);
  const label = readLabel(payload);
  const { records, source } = await resolveContracts(payload, signal);
  const { drafts, stats, benford } = runOxossiTests(records, parameters, signal);
  return analysisOutput({
    agent: 'oxossi',
    action: 'detect_fraud_indicators',
    label,
    findings: drafts.map((d) => makeFinding(d, 'oxossi')),
    contractsAnalyzed: records.length,
    source,
    scope: describeScope(records),
    parameters: parametersToJson(parameters),
    extra: { benford, testStats: stats },
  });
}

export function createOxossiAgent(): Agent {
  return createAgent(OXOSSI, { detect_fraud_indicators: detectFraudIndicators });
}
