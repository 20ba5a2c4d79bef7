/**
 * Tiradentes: reports (`generate_report`, `summarize`) and the agency ranking of map-reduce runs
 * (`rank_agencies`).
 *
 * It combines findings from one or several agents, scores them with the same function every agent uses,
 * and renders a deterministic Markdown report plus a JSON summary. Its outputs carry the common analysis
 * fields (`findings`, `anomaliesFound`, `riskScore`, `riskLevel`, ...) so a report step can be a run's
 * output as it is.
 */

import { z } from 'zod';
import type { JsonObject } from '../engine/json.ts';
import type { Agent, AgentContext } from './agent.ts';
import { createAgent } from './agent-kit.ts';
import { TIRADENTES } from './descriptors.ts';
import { TIRADENTES_PARAMETERS as P, RANK_AGENCIES_PARAMETERS } from './parameter-tables.ts';
import { assessRisk, countFindings } from './procurement/findings.ts';
import { parametersToJson, parseParameters } from './procurement/parameters.ts';
import { invalidInput, showValue } from './procurement/problems.ts';
import { type ResolvedContracts, resolveContracts } from './procurement/resolve-contracts.ts';
import { describeScope } from './procurement/scope.ts';
import { type AnalysisSummary, collectFindings, type ReportFinding } from './report/collect-findings.ts';
import { renderMarkdownReport } from './report/markdown-report.ts';

const reportParameters = z.strictObject({
  title: z.string().min(1).default(P.title.default),
  generatedAt: z.string().min(1).nullable().default(P.generatedAt.default),
  maxFindings: z.number().int().min(0).default(P.maxFindings.default),
});
const summaryParameters = z.strictObject({
  maxFindings: z.number().int().min(0).default(P.maxFindings.default),
});
const rankParameters = z.strictObject({
  topFindingsPerAgency: z
    .number()
    .int()
    .min(0)
    .default(RANK_AGENCIES_PARAMETERS.topFindingsPerAgency.default),
});

/** Findings sorted strongest first, then by type and id, so the same input gives the same report. */
function sortReportFindings(findings: ReportFinding[]): ReportFinding[] {
  return findings.sort(
    (a, b) =>
      b.score - a.score ||
      a.type.localeCompare(b.type) ||
      a.id.localeCompare(b.id) ||
      a.agent.localeCompare(b.agent),
  );
}

/** Contracts for context are optional; when given they are validated like any analysis input. */
async function contextContracts(payload: JsonObject, signal: AbortSignal): Promise<ResolvedContracts | null> {
  const hasContracts = payload.contracts !== undefined && payload.contracts !== null;
  const hasDataset = payload.dataset !== undefined && payload.dataset !== null;
  return hasContracts || hasDataset ? resolveContracts(payload, signal) : null;
}

function brief(f: ReportFinding): JsonObject {
  return {
    id: f.id,
    type: f.type,
    severity: f.severity,
    score: f.score,
    title: f.title,
    agent: f.agent,
    contractIds: f.contractIds.slice(0, 10),
    contractCount: f.contractIds.length,
  };
}

function buildSummary(
  title: string,
  findings: ReportFinding[],
  analyses: readonly AnalysisSummary[],
  scope: JsonObject | null,
  maxFindings: number,
): JsonObject {
  const { riskScore, riskLevel } = assessRisk(findings);
  return {
    title,
    riskScore,
    riskLevel,
    anomaliesFound: findings.length,
    agents: [...new Set(findings.map((f) => f.agent))].sort(),
    analyses: analyses.map((a) => ({ ...a })),
    ...countFindings(findings),
    topFindings: findings.slice(0, maxFindings).map(brief),
    scope,
  };
}

function contractsAnalyzedOf(
  context: ResolvedContracts | null,
  analyses: readonly AnalysisSummary[],
): number {
  if (context) return context.records.length;
  return Math.max(0, ...analyses.map((a) => a.contractsAnalyzed ?? 0));
}

async function generateReport(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseParameters(reportParameters, payload.parameters, Object.keys(P));
  const { findings, analyses } = collectFindings(payload, ['findings', 'analyses']);
  const context = await contextContracts(payload, signal);
  signal.throwIfAborted();
  const sorted = sortReportFindings(findings);
  const { riskScore, riskLevel } = assessRisk(sorted);
  const scope = context ? describeScope(context.records) : null;
  const markdown = renderMarkdownReport({
    title: parameters.title,
    generatedAt: parameters.generatedAt,
    findings: sorted,
    analyses,
    riskScore,
    riskLevel,
    scope,
    source: context?.source ?? null,
    maxFindings: parameters.maxFindings,
  });
  return {
    agent: 'tiradentes',
    action: 'generate_report',
    label: null,
    report: { title: parameters.title, format: 'text/markdown', markdown },
    summary: buildSummary(parameters.title, sorted, analyses, scope, parameters.maxFindings),
    findings: sorted,
    anomaliesFound: sorted.length,
    riskScore,
    riskLevel,
    contractsAnalyzed: contractsAnalyzedOf(context, analyses),
    parameters: parametersToJson(parameters),
  };
}

async function summarize(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseParameters(summaryParameters, payload.parameters, ['maxFindings']);
  const { findings, analyses } = collectFindings(payload, ['findings', 'analyses']);
  const context = await contextContracts(payload, signal);
  signal.throwIfAborted();
  const sorted = sortReportFindings(findings);
  const { riskScore, riskLevel } = assessRisk(sorted);
  const scope = context ? describeScope(context.records) : null;
  return {
    agent: 'tiradentes',
    action: 'summarize',
    label: null,
    summary: buildSummary('Summary', sorted, analyses, scope, parameters.maxFindings),
    findings: sorted.slice(0, parameters.maxFindings),
    anomaliesFound: sorted.length,
    riskScore,
    riskLevel,
    contractsAnalyzed: contractsAnalyzedOf(context, analyses),
    parameters: parametersToJson(parameters),
  };
}

/** The agency name a map result's findings or scope carry, for a readable ranking. */
function agencyNameOf(result: JsonObject): string | null {
  const scope = result.scope;
  if (scope && typeof scope === 'object' && !Array.isArray(scope) && Array.isArray(scope.agencies)) {
    const first = scope.agencies[0];
    if (scope.agencies.length === 1 && first && typeof first === 'object' && !Array.isArray(first)) {
      return typeof first.name === 'string' ? first.name : null;
    }
  }
  return null;
}

async function rankAgencies(payload: JsonObject, { signal }: AgentContext): Promise<JsonObject> {
  const parameters = parseParameters(
    rankParameters,
    payload.parameters,
    Object.keys(RANK_AGENCIES_PARAMETERS),
  );
  const results = payload.results;
  if (!Array.isArray(results)) {
    throw invalidInput('results', [
      { path: 'results', message: `expected the list of map results, got ${showValue(results)}` },
    ]);
  }
  const { findings } = collectFindings(payload, ['results']);
  signal.throwIfAborted();
  const entries = results
    .map((raw, index) => ({ raw, index }))
    .filter(
      (e): e is { raw: JsonObject; index: number } =>
        e.raw !== null && typeof e.raw === 'object' && !Array.isArray(e.raw),
    )
    .map(({ raw, index }) => {
      const label = typeof raw.label === 'string' ? raw.label : `results[${index}]`;
      const own = sortReportFindings(collectFindings({ results: [raw] }, ['results']).findings);
      const { riskScore, riskLevel } = assessRisk(own);
      return {
        label,
        agencyName: agencyNameOf(raw),
        riskScore,
        riskLevel,
        anomaliesFound: own.length,
        contractsAnalyzed: typeof raw.contractsAnalyzed === 'number' ? raw.contractsAnalyzed : 0,
        topFindings: own.slice(0, parameters.topFindingsPerAgency).map(brief),
      };
    })
    .sort(
      (a, b) =>
        b.riskScore - a.riskScore || b.anomaliesFound - a.anomaliesFound || a.label.localeCompare(b.label),
    )
    .map((entry, i) => ({ rank: i + 1, ...entry }));
  const sorted = sortReportFindings(findings);
  const { riskScore, riskLevel } = assessRisk(sorted);
  return {
    agent: 'tiradentes',
    action: 'rank_agencies',
    label: null,
    ranking: entries,
    findings: sorted,
    anomaliesFound: sorted.length,
    riskScore,
    riskLevel,
    contractsAnalyzed: entries.reduce((total, e) => total + e.contractsAnalyzed, 0),
    parameters: parametersToJson(parameters),
  };
}

export function createTiradentesAgent(): Agent {
  return createAgent(TIRADENTES, {
    generate_report: generateReport,
    summarize,
    rank_agencies: rankAgencies,
  });
}
