/**
 * Enums shared by several entities, generated from the engine's own lists so they cannot drift.
 */

import { BREAKER_STATES, PATTERNS, RUN_EVENT_TYPES, RUN_STATUSES, STEP_STATUSES } from '../engine/index.ts';
import { builder } from './builder.ts';

export const PatternEnum = builder.enumType('Pattern', { values: PATTERNS });
export const RunStatusEnum = builder.enumType('RunStatus', { values: RUN_STATUSES });
export const StepStatusEnum = builder.enumType('StepStatus', { values: STEP_STATUSES });
export const RunEventTypeEnum = builder.enumType('RunEventType', { values: RUN_EVENT_TYPES });
export const BreakerStateEnum = builder.enumType('BreakerState', { values: BREAKER_STATES });
