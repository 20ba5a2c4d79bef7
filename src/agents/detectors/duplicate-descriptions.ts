/**
 * DUPLICATE_DESCRIPTION: different purchases describing the same object in (nearly) the same words.
 *
 * Contracts of one purchase share its description, so records are first de-duplicated by purchase
 * (`purchaseId`; a record without one is its own purchase). Without that step the IFMS data yields some
 * 17,000 "duplicate" contract pairs that are merely siblings. Placeholder descriptions and very short
 * ones (boilerplate such as "Em razão do valor") are left out. Similar purchases are found with MinHash
 * over character 5-shingles (see `minhash.ts`) and grouped transitively into clusters; one finding per
 * cluster. The score rises with what makes a repeat suspicious rather than routine: one agency, direct
 * purchases, a shared supplier, and a short time span (the signature of a purchase split into pieces).
 */

import type { JsonObject } from '../../engine/json.ts';
import { displaySupplier } from '../procurement/documents.ts';
import type { FindingDraft } from '../procurement/findings.ts';
import { similarPairs } from '../procurement/minhash.ts';
import { DIRECT_PURCHASE_MODALITIES } from '../procurement/modality.ts';
import { type ProcurementRecord, recordDay } from '../procurement/record.ts';
import { round } from '../procurement/statistics.ts';
import { compactText, shingleHashes } from '../procurement/text.ts';
import { groupBy, sortIds } from './group-by.ts';

export interface DuplicateDescriptionParameters {
  similarityThreshold: number;
  minDescriptionLength: number;
}

/** Character shingle length: long enough to carry words, short enough to survive small edits. */
const SHINGLE_SIZE = 5;

interface Purchase {
  key: string;
  records: ProcurementRecord[];
  description: string;
}

export function detectDuplicateDescriptions(
  records: readonly ProcurementRecord[],
  parameters: DuplicateDescriptionParameters,
): { drafts: FindingDraft[]; stats: JsonObject } {
  const purchases: Purchase[] = [];
  const shingleSets: Uint32Array[] = [];
  let skipped = 0;
  for (const [key, own] of groupBy(records, (r) =>
    r.purchaseId ? `purchase:${r.purchaseId}` : `contract:${r.id}`,
  )) {
    const first = own[0] as ProcurementRecord;
    const compact = compactText(first.description);
    if (first.descriptionFallback || compact.length < parameters.minDescriptionLength) {
      skipped++;
      continue;
    }
    purchases.push({ key, records: own, description: first.description });
    shingleSets.push(shingleHashes(compact, SHINGLE_SIZE));
  }
  const pairs = similarPairs(shingleSets, parameters.similarityThreshold);
  const clusters = clusterPairs(purchases.length, pairs);
  const drafts: FindingDraft[] = [];
  for (const members of clusters) {
    const cluster = members.map((i) => purchases[i] as Purchase);
    const similarities = pairs
      .filter(([i, j]) => members.includes(i) && members.includes(j))
      .map(([, , s]) => s);
    drafts.push(clusterFinding(cluster, Math.min(...similarities), Math.max(...similarities), parameters));
  }
  return {
    drafts,
    stats: {
      purchasesCompared: purchases.length,
      purchasesSkipped: skipped,
      similarPairs: pairs.length,
      clusters: clusters.length,
    },
  };
}

/** Connected components (union-find) of the similarity graph, each sorted, in order of first member. */
function clusterPairs(size: number, pairs: readonly [number, number, number][]): number[][] {
  const parent = Array.from({ length: size }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    let node = i;
    while (parent[node] !== root) {
      const next = parent[node] as number;
      parent[node] = root;
      node = next;
    }
    return root;
  };
  for (const [i, j] of pairs) {
    const a = find(i);
    const b = find(j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const components = new Map<number, number[]>();
  for (let i = 0; i < size; i++) {
    const root = find(i);
    const list = components.get(root) ?? [];
    list.push(i);
    components.set(root, list);
  }
  return [...components.values()].filter((c) => c.length > 1);
}

function clusterFinding(
  cluster: Purchase[],
  minSimilarity: number,
  maxSimilarity: number,
  parameters: DuplicateDescriptionParameters,
): FindingDraft {
  const all = cluster.flatMap((p) => p.records);
  const agencies = [...new Set(all.map((r) => r.agency.code))].sort();
  const direct = cluster.filter((p) =>
    p.records.some((r) => DIRECT_PURCHASE_MODALITIES.has(r.modality)),
  ).length;
  const supplierPurchases = new Map<string, Set<string>>();
  for (const p of cluster) {
    for (const r of p.records) {
      const set = supplierPurchases.get(r.supplier.id) ?? new Set<string>();
      set.add(p.key);
      supplierPurchases.set(r.supplier.id, set);
    }
  }
  const repeatedSuppliers = [...supplierPurchases].filter(([, set]) => set.size > 1).map(([id]) => id);
  const days = all.map(recordDay);
  const spanDays = Math.max(...days) - Math.min(...days);
  const sameAgency = agencies.length === 1;
  const score =
    2 +
    (sameAgency ? 2 : 0) +
    (direct >= 2 ? 1.5 : 0) +
    (repeatedSuppliers.length > 0 ? 1.5 : 0) +
    (spanDays <= 365 ? 1 : 0);
  const purchaseIds = cluster.map((p) => p.records[0]?.purchaseId ?? null);
  const sample = cluster[0]?.description ?? '';
  const supplierNames = new Map(all.map((r) => [r.supplier.id, displaySupplier(r.supplier)]));
  return {
    type: 'DUPLICATE_DESCRIPTION',
    // Clusters are disjoint, so the first member names the cluster.
    key: `${cluster[0]?.key ?? ''}+${cluster.length - 1}`,
    score,
    title: `${cluster.length} purchases${sameAgency ? ` of agency ${agencies[0]}` : ''} share a near-identical description: "${sample.slice(0, 80)}${sample.length > 80 ? '...' : ''}"`,
    contractIds: sortIds(all.map((r) => r.id)),
    evidence: {
      statistic: `Jaccard similarity of character ${SHINGLE_SIZE}-shingles (MinHash candidates, exact check), purchases de-duplicated by purchaseId`,
      purchases: cluster.map((p, i) => ({
        purchaseId: purchaseIds[i] ?? null,
        contractIds: sortIds(p.records.map((r) => r.id)),
        agency: p.records[0]?.agency.code ?? null,
        modality: p.records[0]?.modality ?? null,
        value: round(p.records.reduce((s, r) => s + r.value, 0)),
        firstDate: p.records.map((r) => r.date).sort()[0] ?? null,
        description: p.description.slice(0, 200),
      })),
      minSimilarity: round(minSimilarity, 3),
      maxSimilarity: round(maxSimilarity, 3),
      threshold: parameters.similarityThreshold,
      agencies,
      directPurchases: direct,
      repeatedSuppliers: repeatedSuppliers.sort().map((id) => supplierNames.get(id) ?? { id, name: '' }),
      spanDays,
    },
  };
}
