/**
 * Zumbi: anomaly detection over procurement contracts (`detect_anomalies`).
 *
 * Runs the six detectors in `detectors/` over the contracts of the payload and returns their findings in
 * the common analysis shape. Each detector's thresholds are parameters (see `parameter-tables.ts`).
 */

import { z } from 'zod';
import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent, readLabel } from './agent-kit.ts';
import { ZUMBI } from './descriptors.ts';
import { detectAboveReference } from './detectors/above-reference.ts';
import { detectContractSplitting } from './detectors/contract-splitting.ts';
import { detectDuplicateDescriptions } from './detectors/duplicate-descriptions.ts';
import { detectPriceOutliers } from './detectors/price-outliers.ts';
import { detectSupplierConcentration } from './detectors/supplier-concentration.ts';
import { detectVolumeSpikes } from './detectors/volume-spikes.ts';
import { ZUMBI_PARAMETERS as P, ZUMBI_DETECTORS } from './parameter-tables.ts';
import { analysisOutput, type FindingDraft, makeFinding } from './procurement/findings.ts';
import { parametersToJson, parseParameters } from './procurement/parameters.ts';
import type { ProcurementRecord } from './procurement/record.ts';
import { resolveContracts } from './procurement/resolve-contracts.ts';
import { describeScope } from './procurement/scope.ts';

const share = z.number().gt(0).lte(1);
const positive = z.number().positive();

const parametersSchema = z.strictObject({
  detectors: z
    .array(z.enum(ZUMBI_DETECTORS))
    .min(1)
    .default(() => [...ZUMBI_DETECTORS]),
  outlierZThreshold: positive.default(P.outlierZThreshold.default),
  minGroupSize: z.number().int().min(3).default(P.minGroupSize.default),
  referenceRatioThreshold: z.number().gt(1).default(P.referenceRatioThreshold.default),
  minReferenceExcess: z.number().min(0).default(P.minReferenceExcess.default),
  referenceMaxGroupMedianRatio: z.number().min(1).default(P.referenceMaxGroupMedianRatio.default),
  referenceMaxGroupAboveShare: z.number().gt(0).lte(1).default(P.referenceMaxGroupAboveShare.default),
  referenceMaxRatio: z.number().gt(1).default(P.referenceMaxRatio.default),
  concentrationThreshold: share.default(P.concentrationThreshold.default),
  minAgencyContracts: z.number().int().min(1).default(P.minAgencyContracts.default),
  concentrationPeriod: z.enum(['YEAR', 'ALL']).default(P.concentrationPeriod.default),
  spikeZThreshold: positive.default(P.spikeZThreshold.default),
  spikeMinRatio: z.number().min(1).default(P.spikeMinRatio.default),
  minActiveMonths: z.number().int().min(3).default(P.minActiveMonths.default),
  similarityThreshold: share.default(P.similarityThreshold.default),
  minDescriptionLength: z.number().int().min(1).default(P.minDescriptionLength.default),
  splittingWindowDays: z.number().int().min(1).default(P.splittingWindowDays.default),
  splittingMinPurchases: z.number().int().min(2).default(P.splittingMinPurchases.default),
  pandemicRegimeLimits: z.boolean().default(P.pandemicRegimeLimits.default),
});

export type ZumbiParameters = z.output<typeof parametersSchema>;

type Detector = (
  records: readonly ProcurementRecord[],
  parameters: ZumbiParameters,
) => { drafts: FindingDraft[]; stats: JsonObject };

const DETECTORS: Readonly<Record<(typeof ZUMBI_DETECTORS)[number], Detector>> = {
  PRICE_OUTLIER: detectPriceOutliers,
  ABOVE_REFERENCE_VALUE: detectAboveReference,
  SUPPLIER_CONCENTRATION: detectSupplierConcentration,
  VOLUME_SPIKE: detectVolumeSpikes,
  DUPLICATE_DESCRIPTION: detectDuplicateDescriptions,
  CONTRACT_SPLITTING: detectContractSplitting,
};

/** Runs the chosen detectors over already resolved records (also used by tests and benchmarks). */
export function runZumbiDetectors(
  records: readonly ProcurementRecord[],
  parameters: ZumbiParameters,
  signal?: AbortSignal,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const drafts: FindingDraft[] = [];
  const stats: JsonObject = {};
  for (const name of ZUMBI_DETECTORS) {
    if (!parameters.detectors.includes(name)) continue;
    signal?.throwIfAborted();
    const result = DETECTORS[name](records, parameters);
    drafts.push(...result.drafts);
    stats[name] = result.stats;
  }
  return { drafts, stats };
}

export function parseZumbiParameters(raw: unknown): ZumbiParameters {
  return parseParameters(parametersSchema, raw, Object.keys(P));
}

async function detectAnomalies(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseZumbiParameters(payload.parameters);
  const label = readLabel(payload);
  const { records, source } = await resolveContracts(payload, signal);
  const { drafts, stats } = runZumbiDetectors(records, parameters, signal);
  return analysisOutput({
    agent: 'zumbi',
    action: 'detect_anomalies',
    label,
    findings: drafts.map((d) => makeFinding(d, 'zumbi')),
    contractsAnalyzed: records.length,
    source,
    scope: describeScope(records),
    parameters: parametersToJson(parameters),
    extra: { detectorStats: stats },
  });
}

export function createZumbiAgent(): Agent {
  return createAgent(ZUMBI, { detect_anomalies: detectAnomalies });
}
