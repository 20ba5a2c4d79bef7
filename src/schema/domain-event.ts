/**
 * Domain events: publishing one from outside (which starts every workflow it triggers) and watching
 * them, including those the steps of event-driven runs publish.
 */

import type { DomainEvent, RunRecord } from '../engine/index.ts';
import { ValidationError } from '../engine/index.ts';
import { builder } from './builder.ts';
import { eventOf } from './context.ts';
import { InvalidStateError, NotAuthorizedError, translateErrors } from './errors.ts';
import { RunRef } from './run.ts';
import { instant } from './scalars.ts';

const DomainEventRef = builder.objectRef<DomainEvent>('DomainEvent').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    payload: t.field({ type: 'JSON', resolve: (e) => e.payload }),
    at: t.field({ type: 'DateTime', resolve: (e) => instant(e.at) }),
    runId: t.exposeString('runId', {
      nullable: true,
      description: 'The run whose step published it; null when published from outside.',
    }),
  }),
});

builder.mutationField('publishEvent', (t) =>
  t.field({
    type: builder.objectRef<{ event: DomainEvent; runs: RunRecord[] }>('PublishEventSuccess').implement({
      fields: (f) => ({
        event: f.field({ type: DomainEventRef, resolve: (r) => r.event }),
        runs: f.field({
          type: [RunRef],
          description: 'Runs started by workflows this event triggers.',
          resolve: (r) => r.runs,
        }),
      }),
    }),
    description:
      'Publishes a domain event; every workflow whose `trigger` it is starts a run with the payload as input.',
    authScopes: { operator: true },
    errors: {
      types: [NotAuthorizedError, ValidationError, InvalidStateError],
      directResult: true,
      union: { name: 'PublishEventResult' },
    },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('PublishEventInput', {
          fields: (f) => ({
            name: f.string({ required: true, description: 'e.g. "contracts.ingested"' }),
            payload: f.field({ type: 'JSON', required: false, description: 'A JSON object. Default {}.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      translateErrors(() => context.engine.publishEvent(input.name, input.payload ?? {})),
  }),
);

builder.subscriptionField('domainEvents', (t) =>
  t.field({
    type: DomainEventRef,
    description: 'Domain events as they are published, of one name or all.',
    args: { name: t.arg.string({ required: false }) },
    subscribe: (_root, args, context) => context.engine.domainEvents(args.name ?? undefined),
    resolve: eventOf,
  }),
);
