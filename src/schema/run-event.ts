/**
 * A run's event log: the events of one run, and the live `runEvents` stream that replays what the
 * subscriber missed after `afterSeq`, then goes live with no gap and no duplicate, and completes after
 * the terminal event. The protocol is docs/events.md.
 */

import { z } from 'zod';
import type { RunEvent } from '../engine/index.ts';
import { builder } from './builder.ts';
import { eventOf } from './context.ts';
import { RunEventTypeEnum } from './enums.ts';
import { translateErrors } from './errors.ts';
import { ownId } from './ids.ts';
import { instant } from './scalars.ts';

export const RunEventRef = builder.objectRef<RunEvent>('RunEvent').implement({
  description: "One entry of a run's append-only log; `seq` is 1, 2, 3, ... without gaps.",
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    type: t.field({ type: RunEventTypeEnum, resolve: (e) => e.type }),
    runId: t.exposeString('runId'),
    stepId: t.exposeString('stepId', { nullable: true }),
    agent: t.exposeString('agent', { nullable: true }),
    attempt: t.exposeInt('attempt', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (e) => instant(e.at) }),
    message: t.exposeString('message'),
    data: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.data }),
  }),
});

builder.subscriptionField('runEvents', (t) =>
  t.field({
    type: RunEventRef,
    description:
      'Every event of the run after `afterSeq` (default 0: from the start), in seq order, exactly once: stored ones first, then live. Completes after the terminal event.',
    args: {
      runId: t.arg.id({ required: true, description: 'The run id, or its global id.' }),
      afterSeq: t.arg.int({ required: false, defaultValue: 0, validate: z.number().int().min(0) }),
    },
    subscribe: (_root, args, context) =>
      translateErrors(() => context.engine.runEvents(ownId(String(args.runId), 'Run'), args.afterSeq ?? 0)),
    resolve: eventOf,
  }),
);
