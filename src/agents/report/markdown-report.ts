/**
 * The Markdown investigation report: overall risk, what was analysed, findings by type, then each finding
 * with the evidence a person needs to re-check it by hand.
 *
 * Output is a pure function of the input: no clock is read (a timestamp appears only when the caller
 * passes one), findings are sorted, and objects are rendered with sorted keys. CPFs are masked in the final
 * text as a last safeguard, whatever the findings carried.
 */

import type { JsonObject, JsonValue } from '../../engine/json.ts';
import { maskCpfsInText } from '../procurement/documents.ts';
import { SEVERITY_WEIGHT } from '../procurement/findings.ts';
import { formatBrl } from '../procurement/money.ts';
import type { AnalysisSummary, ReportFinding } from './collect-findings.ts';

export interface ReportInput {
  title: string;
  generatedAt: string | null;
  findings: readonly ReportFinding[];
  analyses: readonly AnalysisSummary[];
  riskScore: number;
  riskLevel: string;
  /** What the contracts given for context cover (`describeScope`), or null. */
  scope: JsonObject | null;
  source: JsonObject | null;
  maxFindings: number;
}

/** Contract ids shown per finding; the rest are counted. */
const MAX_IDS_SHOWN = 20;
/** Characters of one evidence value before it is cut. */
const MAX_VALUE_CHARS = 400;

function inline(value: JsonValue): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    return value.map((v) => String(v)).join(', ');
  }
  const text = JSON.stringify(sortKeys(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: JsonObject = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key] as JsonValue);
    return sorted;
  }
  return value;
}

/** Escapes the characters that would break a table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function findingSection(f: ReportFinding, index: number): string[] {
  const ids = f.contractIds.slice(0, MAX_IDS_SHOWN).join(', ');
  const more =
    f.contractIds.length > MAX_IDS_SHOWN ? ` and ${f.contractIds.length - MAX_IDS_SHOWN} more` : '';
  const lines = [
    `### ${index}. [${f.severity} ${f.score.toFixed(1)}] ${f.title}`,
    '',
    `- Type: \`${f.type}\` · agent: ${f.agent} · id: \`${f.id}\``,
    `- Contracts (${f.contractIds.length}): ${ids || '—'}${more}`,
    '- Evidence:',
  ];
  for (const key of Object.keys(f.evidence).sort()) {
    if (key === 'caveat') continue;
    lines.push(`  - ${key}: ${inline(f.evidence[key] as JsonValue)}`);
  }
  lines.push('');
  return lines;
}

function caveatsOf(findings: readonly ReportFinding[]): string[] {
  const caveats = new Set<string>();
  for (const f of findings) {
    const list = f.evidence.caveats;
    if (Array.isArray(list)) for (const c of list) if (typeof c === 'string') caveats.add(c);
    if (typeof f.evidence.caveat === 'string') caveats.add(f.evidence.caveat);
  }
  return [...caveats].sort();
}

export function renderMarkdownReport(input: ReportInput): string {
  const { findings } = input;
  const lines: string[] = [`# ${input.title}`, ''];
  if (input.generatedAt) lines.push(`Generated at ${input.generatedAt}.`, '');

  const agents = [...new Set(findings.map((f) => f.agent))].sort();
  lines.push('## Overall risk', '');
  lines.push(
    `**Risk level: ${input.riskLevel}** (score ${input.riskScore.toFixed(1)} / 10) from ${findings.length} finding(s)${agents.length ? ` by ${agents.join(', ')}` : ''}.`,
    '',
    `The score is 10 × (1 − ∏(1 − pᵢ)) over the findings, with pᵢ = weight × scoreᵢ / 10 and weights LOW ${SEVERITY_WEIGHT.LOW}, MEDIUM ${SEVERITY_WEIGHT.MEDIUM}, HIGH ${SEVERITY_WEIGHT.HIGH}: ten times the chance that at least one finding is a real irregularity, were findings independent. Levels: LOW below 4, MEDIUM from 4, HIGH from 7.`,
    '',
  );

  if (input.scope || input.analyses.length > 0) {
    lines.push('## What was analysed', '');
    if (input.scope) {
      const s = input.scope;
      lines.push(
        `- ${s.contracts} contracts worth ${formatBrl(Number(s.totalValue))}, dated ${s.from} to ${s.to}, from ${s.agencyCount} agencies.`,
      );
    }
    if (input.source && input.source.kind === 'dataset') {
      const files = Array.isArray(input.source.files) ? input.source.files : [];
      const described = files
        .map((f) => (f && typeof f === 'object' && !Array.isArray(f) ? `${f.name} (sha256 ${f.sha256})` : ''))
        .filter(Boolean)
        .join(', ');
      lines.push(`- Dataset \`${input.source.dataset}\`: ${input.source.title}; files ${described}.`);
    }
    for (const a of input.analyses) {
      const count = a.contractsAnalyzed === null ? '' : ` over ${a.contractsAnalyzed} contracts`;
      lines.push(`- ${a.agent ?? 'unknown agent'} (${a.name}): ${a.anomaliesFound} finding(s)${count}.`);
    }
    lines.push('');
  }

  lines.push('## Findings by type', '');
  if (findings.length === 0) {
    lines.push('No findings.', '');
  } else {
    lines.push(
      '| Type | Findings | HIGH | MEDIUM | LOW | Strongest |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const types = [...new Set(findings.map((f) => f.type))].sort();
    for (const type of types) {
      const own = findings.filter((f) => f.type === type);
      const count = (severity: string) => own.filter((f) => f.severity === severity).length;
      const strongest = Math.max(...own.map((f) => f.score));
      lines.push(
        `| ${cell(type)} | ${own.length} | ${count('HIGH')} | ${count('MEDIUM')} | ${count('LOW')} | ${strongest.toFixed(1)} |`,
      );
    }
    lines.push('');
    const shown = findings.slice(0, input.maxFindings);
    lines.push(
      `## Findings, strongest first${shown.length < findings.length ? ` (${shown.length} of ${findings.length})` : ''}`,
      '',
    );
    shown.forEach((f, i) => {
      lines.push(...findingSection(f, i + 1));
    });
  }

  const caveats = caveatsOf(findings);
  lines.push('## Caveats', '');
  lines.push(
    '- Findings are leads for a person to check against the purchase files, not conclusions. Each lists its contracts, the statistic and the threshold so it can be recomputed by hand.',
    "- Natural persons' CPF numbers are masked (***.456.789-**).",
  );
  for (const c of caveats) lines.push(`- ${c}`);
  lines.push('');
  return maskCpfsInText(lines.join('\n'));
}
