/**
 * Synthetic procurement data with known anomalies, for measuring the detectors' precision and recall.
 *
 * A seeded PRNG (mulberry32) builds a clean baseline that resembles the IFMS data in shape
 * (`synthetic/baseline.ts`), then `inject` plants anomalies of the requested kinds
 * (`synthetic/anomalies.ts`) and records the ground truth: the keys a correct detector should report.
 * The same seed always gives the same records, so a test failure can be replayed.
 */

import type { FindingType } from './findings.ts';
import type { ProcurementRecord } from './record.ts';
import { INJECTORS } from './synthetic/anomalies.ts';
import { baseline } from './synthetic/baseline.ts';
import { cents, Random } from './synthetic/random.ts';

export { mulberry32 } from './synthetic/random.ts';

export type SyntheticTruth = Partial<Record<FindingType, string[]>>;

export interface SyntheticDataset {
  records: ProcurementRecord[];
  /** For each injected kind, the keys a correct detector reports (see `docs/agents.md`). */
  truth: SyntheticTruth;
}

export interface SyntheticOptions {
  seed: number;
  /** Contracts per agency in the baseline; default 150. */
  contractsPerAgency?: number;
  /** Anomaly kinds to plant; default none. */
  inject?: readonly FindingType[];
}

/**
 * Benford scenarios: amounts drawn log-uniformly over five orders of magnitude (first digits follow the
 * law), of which a share `steeredShare` is replaced by amounts "picked by hand" between R$ 40,000 and
 * R$ 79,999 (first digits 4-7 only). `steeredShare` 0 gives conforming data.
 */
export function syntheticBenfordValues(seed: number, count: number, steeredShare: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () =>
    rng.next() < steeredShare
      ? 40000 + rng.int(0, 39999) + rng.int(0, 99) / 100
      : cents(10 ** (1 + 5 * rng.next())),
  );
}

export function generateSyntheticDataset(options: SyntheticOptions): SyntheticDataset {
  const b = baseline(options.seed, options.contractsPerAgency ?? 150);
  const truth: SyntheticTruth = {};
  for (const kind of options.inject ?? []) {
    const injector = INJECTORS[kind];
    if (!injector) throw new Error(`no injector for ${kind}`);
    truth[kind] = injector(b);
  }
  return { records: b.records, truth };
}
