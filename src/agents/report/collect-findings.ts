/**
 * Gathering findings for a report from whatever the workflow hands over: a flat `findings` list (e.g. a
 * merged fan-in), `analyses` (step outputs, as a list or as named entries, where a skipped step is null),
 * or map `results`. Findings are checked field by field and de-duplicated (a finding that reaches the
 * report twice, once merged and once from its step, is counted once).
 */

import { z } from 'zod';
import type { JsonObject } from '../../engine/json.ts';
import { SEVERITIES, type Severity } from '../procurement/findings.ts';
import { invalidInput, problemsFromZod, showValue, type ValidationProblem } from '../procurement/problems.ts';

/** A finding as a report reads it: any agent's, so `type` is any text. */
export type ReportFinding = {
  id: string;
  type: string;
  severity: Severity;
  score: number;
  title: string;
  contractIds: string[];
  evidence: JsonObject;
  agent: string;
};

const findingSchema = z.object({
  id: z.string().min(1).optional(),
  type: z.string().min(1),
  severity: z.enum(SEVERITIES),
  score: z.number().min(0).max(10),
  title: z.string(),
  contractIds: z.array(z.union([z.string(), z.number().transform(String)])),
  evidence: z.record(z.string(), z.json()).default({}),
  agent: z.string().optional(),
});

/** The analyses an output came from, for the report's header. */
export interface AnalysisSummary {
  name: string;
  agent: string | null;
  contractsAnalyzed: number | null;
  anomaliesFound: number;
}

export interface CollectedFindings {
  findings: ReportFinding[];
  analyses: AnalysisSummary[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readFindings(
  list: unknown,
  path: string,
  fallbackAgent: string | null,
  problems: ValidationProblem[],
) {
  const out: ReportFinding[] = [];
  if (!Array.isArray(list)) {
    problems.push({ path, message: `expected an array of findings, got ${showValue(list)}` });
    return out;
  }
  list.forEach((element: unknown, index) => {
    const parsed = findingSchema.safeParse(element);
    if (!parsed.success) {
      problems.push(...problemsFromZod(parsed.error.issues, element, `${path}[${index}]`));
      return;
    }
    const f = parsed.data;
    out.push({
      id: f.id ?? `${f.type}:${f.contractIds.join(',')}`,
      type: f.type,
      severity: f.severity,
      score: f.score,
      title: f.title,
      contractIds: f.contractIds,
      evidence: f.evidence as JsonObject,
      agent: f.agent ?? fallbackAgent ?? 'unknown',
    });
  });
  return out;
}

/**
 * Reads `payload.findings`, `payload.analyses` and (for reduce steps) `payload.results`. At least one must
 * hold something; an empty report would hide a wiring mistake.
 */
export function collectFindings(
  payload: JsonObject,
  keys: readonly ('findings' | 'analyses' | 'results')[],
): CollectedFindings {
  const problems: ValidationProblem[] = [];
  const findings: ReportFinding[] = [];
  const analyses: AnalysisSummary[] = [];
  let given = 0;
  if (keys.includes('findings') && payload.findings !== undefined && payload.findings !== null) {
    given++;
    findings.push(...readFindings(payload.findings, 'findings', null, problems));
  }
  for (const key of ['analyses', 'results'] as const) {
    if (!keys.includes(key)) continue;
    const raw = payload[key];
    if (raw === undefined || raw === null) continue;
    given++;
    const entries: [string, unknown][] = Array.isArray(raw)
      ? raw.map((v, i) => [`${key}[${i}]`, v])
      : isObject(raw)
        ? Object.keys(raw)
            .sort()
            .map((name) => [`${key}.${name}`, raw[name]])
        : [];
    if (!Array.isArray(raw) && !isObject(raw)) {
      problems.push({
        path: key,
        message: `expected a list or an object of analysis outputs, got ${showValue(raw)}`,
      });
    }
    for (const [path, output] of entries) {
      if (output === null || output === undefined) continue; // a skipped step
      if (!isObject(output)) {
        problems.push({ path, message: `expected an analysis output object, got ${showValue(output)}` });
        continue;
      }
      const agent = typeof output.agent === 'string' ? output.agent : null;
      const own = readFindings(output.findings, `${path}.findings`, agent, problems);
      findings.push(...own);
      analyses.push({
        name: typeof output.label === 'string' ? output.label : path,
        agent,
        contractsAnalyzed: typeof output.contractsAnalyzed === 'number' ? output.contractsAnalyzed : null,
        anomaliesFound: own.length,
      });
    }
  }
  if (problems.length > 0) throw invalidInput('findings', problems);
  if (given === 0) {
    throw invalidInput('payload', [
      { path: keys.join(' or '), message: 'expected findings or analysis outputs to report on' },
    ]);
  }
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.agent}\u0000${f.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { findings: unique, analyses };
}
