/**
 * The root types. Reading (queries, subscriptions) needs at least the viewer role; each mutation
 * names the role it needs (operator to run things, admin to change definitions and policies).
 */

import { builder } from './builder.ts';

builder.queryType({ authScopes: { viewer: true } });
builder.mutationType({});
builder.subscriptionType({ authScopes: { viewer: true } });
