/**
 * JSON for workflow definitions, inputs, outputs and event data; DateTime (ISO 8601) for instants,
 * which the engine keeps as epoch milliseconds.
 */

import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.ts';

builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('DateTime', DateTimeResolver);

/** Epoch ms → Date for DateTime fields; null stays null. */
export function instant(ms: number): Date;
export function instant(ms: number | null): Date | null;
export function instant(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
