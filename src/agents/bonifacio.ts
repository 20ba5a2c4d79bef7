/**
 * Bonifácio: legal compliance of direct purchases (`check_compliance`).
 *
 * Checks each dispensa against the value limit of Lei 14.133/2021 art. 75 or Lei 8.666/1993 art. 24 in
 * force on its date. The limits come from one table (`procurement/legal-limits.ts`) that names the act
 * behind every figure; the output repeats the table so a reader can check each finding against it.
 */

import { z } from 'zod';
import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent, readLabel } from './agent-kit.ts';
import { BONIFACIO } from './descriptors.ts';
import { detectThresholdExceeded } from './detectors/threshold-exceeded.ts';
import { BONIFACIO_PARAMETERS as P } from './parameter-tables.ts';
import { analysisOutput, makeFinding } from './procurement/findings.ts';
import { DISPENSA_LIMITS } from './procurement/legal-limits.ts';
import { parametersToJson, parseParameters } from './procurement/parameters.ts';
import { resolveContracts } from './procurement/resolve-contracts.ts';
import { describeScope } from './procurement/scope.ts';

const parametersSchema = z.strictObject({
  defaultInciso: z.enum(['I', 'II']).default(P.defaultInciso.default),
  checkUnknownBasis: z.boolean().default(P.checkUnknownBasis.default),
  pandemicRegimeLimits: z.boolean().default(P.pandemicRegimeLimits.default),
});

export type BonifacioParameters = z.output<typeof parametersSchema>;

export function parseBonifacioParameters(raw: unknown): BonifacioParameters {
  return parseParameters(parametersSchema, raw, Object.keys(P));
}

/** The limits table as JSON, for the output and the docs. */
export function legalLimitsTable(): JsonObject[] {
  return DISPENSA_LIMITS.map((p) => ({
    regime: p.regime,
    from: p.from,
    to: p.to,
    incisoI: p.engineering,
    incisoII: p.other,
    source: p.source,
    verification: p.verification,
    temporary: p.temporary === true,
    caveat: p.caveat ?? null,
  }));
}

async function checkCompliance(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseBonifacioParameters(payload.parameters);
  const label = readLabel(payload);
  const { records, source } = await resolveContracts(payload, signal);
  signal.throwIfAborted();
  const { drafts, stats } = detectThresholdExceeded(records, parameters);
  return analysisOutput({
    agent: 'bonifacio',
    action: 'check_compliance',
    label,
    findings: drafts.map((d) => makeFinding(d, 'bonifacio')),
    contractsAnalyzed: records.length,
    source,
    scope: describeScope(records),
    parameters: parametersToJson(parameters),
    extra: { compliance: stats, legalLimits: legalLimitsTable() },
  });
}

export function createBonifacioAgent(): Agent {
  return createAgent(BONIFACIO, { check_compliance: checkCompliance });
}
