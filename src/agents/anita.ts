/**
 * Anita: pattern analysis over procurement contracts (`analyze_patterns`).
 *
 * Describes how contracting moves over time (yearly trends, modality mix) and tests four patterns that
 * deserve a person's attention: year-end spikes, suppliers across many agencies, dispensas bunched just
 * below the legal limit, and agencies buying mostly without competition.
 */

import { z } from 'zod';
import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent, readLabel } from './agent-kit.ts';
import { ANITA } from './descriptors.ts';
import { detectModalityMix, modalityMix } from './detectors/modality-mix.ts';
import { detectMultiAgencySuppliers } from './detectors/multi-agency-suppliers.ts';
import { yearlyTrends } from './detectors/trends.ts';
import { detectValueBandConcentration } from './detectors/value-band-concentration.ts';
import { detectYearEndSpikes } from './detectors/year-end-spikes.ts';
import { ANITA_PATTERNS, ANITA_PARAMETERS as P } from './parameter-tables.ts';
import { analysisOutput, type FindingDraft, makeFinding } from './procurement/findings.ts';
import { parametersToJson, parseParameters } from './procurement/parameters.ts';
import type { ProcurementRecord } from './procurement/record.ts';
import { resolveContracts } from './procurement/resolve-contracts.ts';
import { describeScope } from './procurement/scope.ts';

const share = z.number().gt(0).lte(1);

const parametersSchema = z.strictObject({
  patterns: z
    .array(z.enum(ANITA_PATTERNS))
    .min(1)
    .default(() => [...ANITA_PATTERNS]),
  yearEndShareThreshold: share.default(P.yearEndShareThreshold.default),
  minYearContracts: z.number().int().min(1).default(P.minYearContracts.default),
  minAgencies: z.number().int().min(2).default(P.minAgencies.default),
  valueBandLow: z.number().gt(0).lt(1).default(P.valueBandLow.default),
  valueBandShareThreshold: share.default(P.valueBandShareThreshold.default),
  minBandContracts: z.number().int().min(1).default(P.minBandContracts.default),
  nonCompetitiveShareThreshold: share.default(P.nonCompetitiveShareThreshold.default),
  minAgencyContracts: z.number().int().min(1).default(P.minAgencyContracts.default),
});

export type AnitaParameters = z.output<typeof parametersSchema>;

type PatternTest = (
  records: readonly ProcurementRecord[],
  parameters: AnitaParameters,
) => { drafts: FindingDraft[]; stats: JsonObject };

const TESTS: Readonly<Record<(typeof ANITA_PATTERNS)[number], PatternTest>> = {
  YEAR_END_SPIKE: detectYearEndSpikes,
  MULTI_AGENCY_SUPPLIER: detectMultiAgencySuppliers,
  VALUE_BAND_CONCENTRATION: detectValueBandConcentration,
  MODALITY_MIX: detectModalityMix,
};

export function parseAnitaParameters(raw: unknown): AnitaParameters {
  return parseParameters(parametersSchema, raw, Object.keys(P));
}

export function runAnitaPatterns(
  records: readonly ProcurementRecord[],
  parameters: AnitaParameters,
  signal?: AbortSignal,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const stats: JsonObject = {};
  for (const name of ANITA_PATTERNS) {
    if (!parameters.patterns.includes(name)) continue;
    signal?.throwIfAborted();
    const result = TESTS[name](records, parameters);
    drafts.push(...result.drafts);
    stats[name] = result.stats;
  }
  return { drafts, stats };
}

async function analyzePatterns(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseAnitaParameters(payload.parameters);
  const label = readLabel(payload);
  const { records, source } = await resolveContracts(payload, signal);
  const { drafts, stats } = runAnitaPatterns(records, parameters, signal);
  signal.throwIfAborted();
  return analysisOutput({
    agent: 'anita',
    action: 'analyze_patterns',
    label,
    findings: drafts.map((d) => makeFinding(d, 'anita')),
    contractsAnalyzed: records.length,
    source,
    scope: describeScope(records),
    parameters: parametersToJson(parameters),
    extra: {
      patterns: { trends: yearlyTrends(records), modalityMix: modalityMix(records) },
      patternStats: stats,
    },
  });
}

export function createAnitaAgent(): Agent {
  return createAgent(ANITA, { analyze_patterns: analyzePatterns });
}
