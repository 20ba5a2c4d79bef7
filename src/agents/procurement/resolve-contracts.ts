/**
 * The one place an action's contracts come from: `payload.contracts` (normalized records, validated) or
 * `payload.dataset` (a built-in dataset name). Every analysis action calls this, so they all accept the
 * same two forms and reject the same mistakes.
 */

import type { JsonObject } from '../../engine/json.ts';
import { AgentError } from '../agent.ts';
import { DATASET_NAMES, loadDataset } from './datasets.ts';
import { showValue } from './problems.ts';
import type { ProcurementRecord } from './record.ts';
import { validateContracts } from './validate.ts';

export interface ResolvedContracts {
  records: readonly ProcurementRecord[];
  source: JsonObject;
}

/** A missing path in an input mapping may arrive as `null`; both mean "not given". */
const given = (value: unknown): boolean => value !== undefined && value !== null;

export async function resolveContracts(
  payload: JsonObject,
  signal?: AbortSignal,
): Promise<ResolvedContracts> {
  const { contracts, dataset } = payload;
  if (given(contracts) && given(dataset)) {
    throw new AgentError('INVALID_INPUT', 'send either contracts or dataset, not both', [
      { path: 'dataset', message: 'not allowed together with contracts' },
    ]);
  }
  if (given(contracts)) {
    const records = validateContracts(contracts);
    return { records, source: { kind: 'inline', contracts: records.length } };
  }
  if (given(dataset)) {
    if (typeof dataset !== 'string') {
      throw new AgentError('INVALID_INPUT', `dataset: expected a dataset name, got ${showValue(dataset)}`, [
        {
          path: 'dataset',
          message: `expected one of ${DATASET_NAMES.join(', ')}, got ${showValue(dataset)}`,
        },
      ]);
    }
    const loaded = await loadDataset(dataset);
    signal?.throwIfAborted();
    return loaded;
  }
  throw new AgentError(
    'INVALID_INPUT',
    `expected contracts (an array of normalized records) or dataset (one of ${DATASET_NAMES.join(', ')})`,
    [{ path: 'contracts', message: 'is required unless dataset is given' }],
  );
}
