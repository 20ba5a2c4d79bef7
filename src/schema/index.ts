/**
 * The GraphQL schema: every entity file registers its types and root fields on the builder; this
 * module loads them all and builds the schema (sorted, as printed in schema.graphql).
 */

import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './root.ts';
import './enums.ts';
import './error-types.ts';
import './workflow.ts';
import './agent.ts';
import './circuit-breaker.ts';
import './retry-policy.ts';
import './stats.ts';
import './step-run.ts';
import './run-event.ts';
import './run.ts';
import './domain-event.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
export type { GraphQLContext, Role } from './context.ts';
export { ROLES } from './context.ts';
