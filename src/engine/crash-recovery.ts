/**
 * After a crash: the runs this instance left RUNNING are ended INTERRUPTED.
 *
 * Each gets, after everything it had logged, a closing event for every step or compensation that was
 * in flight (so every STEP_STARTED and COMPENSATION_STARTED still has exactly one closing event) and a
 * terminal RUN_INTERRUPTED, written with the statistics in one batch. Nothing is resumed: an agent
 * call cut short by a crash may or may not have had its effect, and only the workflow's author knows
 * whether repeating it is safe.
 */

import type { RunEvent } from './events.ts';
import type { JsonObject } from './json.ts';
import type { RunRecord } from './run.ts';
import type { RunStatistics } from './statistics.ts';
import type { RunStore } from './store.ts';

const INTERRUPTED_MESSAGE =
  'the gateway stopped while the run was in progress (crash or kill); it was not resumed';

export async function markInterruptedRuns(
  store: RunStore,
  statistics: RunStatistics,
  logger: Pick<Console, 'warn'>,
): Promise<void> {
  const running = await store.listRunningRuns();
  for (const record of running) {
    const now = Date.now();
    const lastSeq = await store.getLastSeq(record.id);
    const [steps = []] = await store.getStepRuns([record.id]);
    const error = { kind: 'CANCELLED' as const, message: INTERRUPTED_MESSAGE };
    const open = steps
      .filter((s) => s.status === 'RUNNING')
      .map((s) => ({
        ...s,
        status: 'CANCELLED' as const,
        finishedAt: now,
        durationMs: now - s.startedAt,
        error,
      }));
    const durationMs = now - record.startedAt;
    const ended: RunRecord = { ...record, status: 'INTERRUPTED', finishedAt: now, durationMs, error };
    statistics.runFinished(record.pattern, 'INTERRUPTED', durationMs, false);
    // Close each execution the crash left open with the event that ends it, so that every
    // STEP_STARTED / COMPENSATION_STARTED of the log still has exactly one closing event.
    let seq = lastSeq;
    const closing: RunEvent[] = [];
    if (open.length) {
      const opened = new Map<number, RunEvent>();
      for (const event of await store.getEvents(record.id, 0)) {
        const execution = event.data?.execution;
        if (
          (event.type === 'STEP_STARTED' || event.type === 'COMPENSATION_STARTED') &&
          typeof execution === 'number'
        )
          opened.set(execution, event);
      }
      const definition = (await store.getWorkflow(record.workflowId, record.workflowVersion))?.definition;
      for (const step of open) {
        const start = opened.get(step.execution);
        if (!start) continue;
        const compensation = start.type === 'COMPENSATION_STARTED';
        closing.push({
          runId: record.id,
          seq: ++seq,
          type: compensation ? 'COMPENSATION_FAILED' : 'STEP_FAILED',
          at: now,
          stepId: step.stepId,
          agent: step.agent,
          attempt: step.attempts || null,
          message: `${compensation ? 'compensation of ' : ''}step "${step.stepId}" was interrupted: ${INTERRUPTED_MESSAGE}`,
          data: compensation
            ? {
                execution: step.execution,
                compensates: start.data?.compensates ?? null,
                error: error as unknown as JsonObject,
              }
            : {
                execution: step.execution,
                itemIndex: step.itemIndex,
                status: 'CANCELLED',
                durationMs: step.durationMs,
                attempts: step.attempts,
                error: error as unknown as JsonObject,
                continueOnError:
                  definition?.steps.find((d) => d.id === step.stepId)?.continueOnError ?? false,
              },
        });
      }
    }
    await store.write({
      runs: [ended],
      steps: open,
      events: [
        ...closing,
        {
          runId: record.id,
          seq: seq + 1,
          type: 'RUN_INTERRUPTED',
          at: now,
          stepId: null,
          agent: null,
          attempt: null,
          message: `run interrupted: ${INTERRUPTED_MESSAGE}`,
          data: {
            status: 'INTERRUPTED',
            durationMs,
            error: error as unknown as JsonObject,
            interruptedSteps: open.map((s) => s.stepId),
          },
        },
      ],
      ...(store.dialect === 'memory' ? {} : { statistics: statistics.snapshot() }),
    });
    logger.warn(
      `orquestra: run ${record.id} (${record.workflowId}) was left RUNNING by a crash; marked INTERRUPTED`,
    );
  }
}
