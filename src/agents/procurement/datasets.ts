/**
 * Built-in datasets by name, so a workflow can say `input: { dataset: "ifms" }` instead of inlining
 * thousands of records. Unknown names are the caller's mistake (INVALID_INPUT naming the known ones);
 * unreadable files are the agent's (AGENT_FAILURE), and nothing ever substitutes other data.
 */

import type { JsonObject } from '../../engine/json.ts';
import { AgentError } from '../agent.ts';
import { IFMS_SNAPSHOT, loadIfmsDataset } from './ifms-dataset.ts';
import type { ProcurementRecord } from './record.ts';

export interface LoadedDataset {
  records: readonly ProcurementRecord[];
  /** Where the records came from, for the output (files, hashes, join coverage, skipped rows). */
  source: JsonObject;
}

interface DatasetEntry {
  title: string;
  load(): Promise<LoadedDataset>;
}

const DATASETS: Readonly<Record<string, DatasetEntry>> = {
  ifms: {
    title: 'IFMS contracts and purchases (Compras.gov.br open data)',
    async load() {
      const data = await loadIfmsDataset();
      return {
        records: data.records,
        source: {
          kind: 'dataset',
          dataset: 'ifms',
          title: 'IFMS contracts and purchases (Compras.gov.br open data)',
          snapshot: { ...IFMS_SNAPSHOT },
          files: data.files.map((f) => ({ name: f.name, sha256: f.sha256, rows: f.rows })),
          contracts: data.records.length,
          joinedToPurchases: data.joined,
          cpfSuppliersMasked: data.cpfSuppliers,
          problems: data.problems.map((p) => ({
            file: p.file,
            line: p.line,
            column: p.column,
            message: p.message,
          })),
        },
      };
    },
  },
};

export const DATASET_NAMES: readonly string[] = Object.keys(DATASETS);

/** Loads a built-in dataset by name. */
export async function loadDataset(name: string): Promise<LoadedDataset> {
  const entry = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (!entry) {
    throw new AgentError(
      'INVALID_INPUT',
      `unknown dataset ${JSON.stringify(name)}; known datasets: ${DATASET_NAMES.join(', ')}`,
      [{ path: 'dataset', message: `expected one of ${DATASET_NAMES.join(', ')}` }],
    );
  }
  return entry.load();
}
