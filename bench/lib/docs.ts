/**
 * `--write-docs`: the results tables of docs/benchmarks.md, between `<!-- bench:results:start -->` and
 * `<!-- bench:results:end -->`. Each benchmark has a section of its own there (opened by
 * `<!-- bench:<name> -->`), replaced when that benchmark runs and kept otherwise, so that
 * `--only http --write-docs` refreshes the http figures alone. The rest of the document is left as is.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchResult } from '../bench-result.ts';

export const START = '<!-- bench:results:start -->';
export const END = '<!-- bench:results:end -->';
const SECTION = /<!-- bench:([a-z]+) -->\n/g;

export interface RunInfo {
  command: string;
  date: string;
  machine: string;
  /** e.g. "1.9 → 2.4" */
  load: string;
  seconds: number;
}

export function sectionOf(name: string, info: RunInfo, results: readonly BenchResult[]): string {
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const withUnit = (n: number | undefined, unit: string) =>
    n === undefined ? '' : `${n.toLocaleString('en-US', { maximumFractionDigits: 3 })} ${unit}`;
  const lines = [
    `<!-- bench:${name} -->`,
    `### ${name}`,
    '',
    `\`${info.command}\`, ${info.date.slice(0, 16).replace('T', ' ')} UTC, ${info.machine}; load average ${info.load} (start → end); ${info.seconds.toFixed(1)} s.`,
    '',
    '| case | metric | value | floor | ratio | target | met | notes |',
    '| --- | --- | --: | --: | --: | --- | --- | --- |',
    ...results.map((r) =>
      [
        '',
        cell(r.case),
        cell(r.metric),
        withUnit(r.value, r.unit),
        withUnit(r.floor, r.unit),
        r.ratio === undefined ? '' : String(r.ratio),
        cell(r.target ?? ''),
        r.met === undefined ? '' : r.met ? 'yes' : '**no**',
        cell(r.notes ?? ''),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
    '',
  ];
  return lines.join('\n');
}

/** Replaces the sections named in `sections` (name → markdown), keeping the others, in `order`. */
export function writeDocsResults(
  path: string,
  sections: ReadonlyMap<string, string>,
  order: readonly string[],
): void {
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} … ${END} block`);
  const inside = doc.slice(start + START.length, end);
  const kept = new Map<string, string>();
  const matches = [...inside.matchAll(SECTION)];
  matches.forEach((m, i) => {
    const from = m.index;
    const to = i + 1 < matches.length ? (matches[i + 1]!.index as number) : inside.length;
    kept.set(m[1]!, `${inside.slice(from, to).trimEnd()}\n`);
  });
  for (const [name, markdown] of sections) kept.set(name, markdown);
  const names = [...order.filter((n) => kept.has(n)), ...[...kept.keys()].filter((n) => !order.includes(n))];
  const body = names.map((n) => kept.get(n)!).join('\n');
  writeFileSync(path, `${doc.slice(0, start)}${START}\n\n${body}\n${doc.slice(end)}`);
}
