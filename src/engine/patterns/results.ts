/**
 * Helpers the patterns share to state their result.
 */

import type { ErrorInfo } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { PatternResult } from '../run-execution.ts';

export const completed = (output: JsonValue | null): PatternResult => ({
  status: 'COMPLETED',
  output,
  error: null,
});

export const failed = (error: ErrorInfo, output: JsonValue | null = null): PatternResult => ({
  status: 'FAILED',
  output,
  error,
});

/** One error for several failed steps, each listed in `details.failures`. */
export function combineFailures(
  failures: readonly { stepId: string; itemIndex?: number | null; error: ErrorInfo }[],
): ErrorInfo {
  const first = failures[0];
  if (failures.length === 1 && first)
    return { ...first.error, details: { failures: failures.map(toDetail) } };
  return {
    kind: 'WORKFLOW_FAILURE',
    message: `${failures.length} steps failed: ${failures.map((f) => `${label(f)} (${f.error.message})`).join('; ')}`,
    details: { failures: failures.map(toDetail) },
  };
}

const label = (f: { stepId: string; itemIndex?: number | null }) =>
  f.itemIndex == null ? f.stepId : `${f.stepId}[${f.itemIndex}]`;

function toDetail(f: { stepId: string; itemIndex?: number | null; error: ErrorInfo }): {
  [key: string]: JsonValue;
} {
  const detail: { [key: string]: JsonValue } = { stepId: f.stepId, error: f.error as unknown as JsonValue };
  if (f.itemIndex != null) detail.itemIndex = f.itemIndex;
  return detail;
}
