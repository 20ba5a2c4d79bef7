/**
 * Every pattern, dispatched by name. The map is total over `Pattern`, so a pattern cannot be declared
 * without being runnable (the reference orchestrator accepted CONDITIONAL and EVENT_DRIVEN workflows it
 * could not dispatch).
 */

import type { Pattern } from '../definition.ts';
import type { PatternRunner } from '../run-execution.ts';
import { runConditional } from './conditional.ts';
import { createEventDrivenRunner, type PublishDomainEvent } from './event-driven.ts';
import { runFanOutFanIn } from './fan-out-fan-in.ts';
import { runMapReduce } from './map-reduce.ts';
import { runParallel } from './parallel.ts';
import { runSaga } from './saga.ts';
import { runSequential } from './sequential.ts';

export function createPatternRunners(publish: PublishDomainEvent): Record<Pattern, PatternRunner> {
  return {
    SEQUENTIAL: runSequential,
    PARALLEL: runParallel,
    FAN_OUT_FAN_IN: runFanOutFanIn,
    CONDITIONAL: runConditional,
    SAGA: runSaga,
    MAP_REDUCE: runMapReduce,
    EVENT_DRIVEN: createEventDrivenRunner(publish),
  };
}
