/**
 * Findings and the one risk score every agent uses.
 *
 * Every analysis action returns the same shape (`findings`, `anomaliesFound`, `riskScore`, `riskLevel`,
 * `contractsAnalyzed`, `agent`, ...), built here, so any step's output can be a run's output and outputs
 * of several agents can be merged by the engine's MERGE rules (CONCAT findings, SUM anomaliesFound, MAX
 * riskScore, rank riskLevel) without translation.
 */

import type { JsonObject } from '../../engine/json.ts';
import { round } from './statistics.ts';

export const FINDING_TYPES = [
  'PRICE_OUTLIER',
  'ABOVE_REFERENCE_VALUE',
  'SUPPLIER_CONCENTRATION',
  'VOLUME_SPIKE',
  'DUPLICATE_DESCRIPTION',
  'CONTRACT_SPLITTING',
  'YEAR_END_SPIKE',
  'MULTI_AGENCY_SUPPLIER',
  'VALUE_BAND_CONCENTRATION',
  'MODALITY_MIX',
  'BENFORD_DEVIATION',
  'REPEATED_VALUE',
  'ROUND_VALUE_PREFERENCE',
  'THRESHOLD_EXCEEDED',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type RiskLevel = Severity;

/** A finding as JSON. Evidence holds what a person needs to re-check it: ids, values, statistic, threshold. */
export type Finding = {
  /** Stable for the same input: `<type>:<key>`, e.g. `PRICE_OUTLIER:126729`. */
  id: string;
  type: FindingType;
  severity: Severity;
  /** Strength of the evidence, 0-10. */
  score: number;
  title: string;
  contractIds: string[];
  evidence: JsonObject;
  agent: string;
};

export interface FindingDraft {
  type: FindingType;
  /** Unique within the type for one analysis; becomes part of the id. */
  key: string;
  score: number;
  title: string;
  contractIds: readonly string[];
  evidence: JsonObject;
}

/** Score at or above which a finding (or a run) is HIGH, and MEDIUM. */
export const HIGH_FROM = 7;
export const MEDIUM_FROM = 4;

export function levelOf(score: number): Severity {
  if (score >= HIGH_FROM) return 'HIGH';
  if (score >= MEDIUM_FROM) return 'MEDIUM';
  return 'LOW';
}

/** Completes a draft: score clamped to 0-10 and rounded to one decimal, severity from the score. */
export function makeFinding(draft: FindingDraft, agent: string): Finding {
  const score = round(Math.min(10, Math.max(0, draft.score)), 1);
  return {
    id: `${draft.type}:${draft.key}`,
    type: draft.type,
    severity: levelOf(score),
    score,
    title: draft.title,
    contractIds: [...draft.contractIds],
    evidence: draft.evidence,
    agent,
  };
}

/**
 * How much one finding of each severity weighs in the run's risk: the chance, at score 10, that it is a
 * real irregularity. LOW findings are leads, HIGH ones are close to proof.
 */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { LOW: 0.1, MEDIUM: 0.4, HIGH: 0.7 };

/**
 * The run's risk from its findings, 0-10: `10 * (1 - prod(1 - p_i))` with `p_i = weight(severity_i) *
 * score_i / 10`. Read it as ten times the chance that at least one finding is a real irregularity, if
 * findings were independent: one HIGH finding of score 10 gives 7 (HIGH), three MEDIUM findings of score 5
 * give 4.9 (MEDIUM), ten LOW findings of score 3 give 2.6 (LOW). Order does not matter (terms are sorted).
 */
export function assessRisk(findings: readonly Pick<Finding, 'score' | 'severity'>[]): {
  riskScore: number;
  riskLevel: RiskLevel;
} {
  const chances = findings
    .map((f) => (SEVERITY_WEIGHT[f.severity] * Math.min(10, Math.max(0, f.score))) / 10)
    .sort((a, b) => a - b);
  let clean = 1;
  for (const p of chances) clean *= 1 - p;
  const riskScore = round(10 * (1 - clean), 1);
  return { riskScore, riskLevel: levelOf(riskScore) };
}

/** Findings in a stable order: strongest first, then by type and id. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => b.score - a.score || a.type.localeCompare(b.type) || a.id.localeCompare(b.id),
  );
}

/** Counts by type and by severity, for summaries. */
export function countFindings(findings: readonly { type: string; severity: Severity }[]): {
  byType: JsonObject;
  bySeverity: JsonObject;
} {
  const byType: Record<string, number> = {};
  const bySeverity: Record<string, number> = { HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const f of findings) {
    byType[f.type] = (byType[f.type] ?? 0) + 1;
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  }
  const sortedByType: JsonObject = {};
  for (const type of Object.keys(byType).sort()) sortedByType[type] = byType[type] ?? 0;
  return { byType: sortedByType, bySeverity };
}

export interface AnalysisOutputParts {
  agent: string;
  action: string;
  findings: Finding[];
  contractsAnalyzed: number;
  /** A caller's name for the analysed subset (e.g. the agency of a map item), echoed back; default null. */
  label: string | null;
  source: JsonObject;
  /** What the records cover (see `scope.ts`). */
  scope: JsonObject;
  /** Effective parameters, defaults filled in. */
  parameters: JsonObject;
  /** Agent-specific results (patterns, Benford table, limits table...). */
  extra?: JsonObject;
}

/** The common output of every analysis action. */
export function analysisOutput(parts: AnalysisOutputParts): JsonObject {
  const findings = sortFindings(parts.findings);
  const { riskScore, riskLevel } = assessRisk(findings);
  return {
    agent: parts.agent,
    action: parts.action,
    label: parts.label,
    findings,
    anomaliesFound: findings.length,
    riskScore,
    riskLevel,
    contractsAnalyzed: parts.contractsAnalyzed,
    summary: countFindings(findings),
    scope: parts.scope,
    source: parts.source,
    parameters: parts.parameters,
    ...(parts.extra ?? {}),
  };
}
