/**
 * The Pothos schema builder, and nothing else: entity files add their types and root fields to it.
 *
 * Plugin order matters: errors first, so that authorization and validation failures thrown by the
 * plugins after it become typed union members of mutations; scope-auth before the resolvers run.
 */

import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { type GraphQLContext, hasRole } from './context.ts';
import { InputValidationError, NotAuthorizedError } from './errors.ts';

export type Scalars = {
  JSON: { Input: unknown; Output: unknown };
  DateTime: { Input: Date; Output: Date };
};

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: Scalars;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, ValidationPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [], unsafelyHandleInputErrors: true },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      viewer: hasRole(context.role, 'viewer'),
      operator: hasRole(context.role, 'operator'),
      admin: hasRole(context.role, 'admin'),
    }),
    unauthorizedError: (_parent, context, info) => new NotAuthorizedError(context.role, info.fieldName),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Readable ids ("Run:0199…", "Workflow:triage@2") are easier to use in GraphiQL than base64.
    encodeGlobalID: (typename, id) => `${typename}:${id}`,
    decodeGlobalID: (globalID) => {
      const separator = globalID.indexOf(':');
      return separator < 1
        ? { typename: '', id: globalID }
        : { typename: globalID.slice(0, separator), id: globalID.slice(separator + 1) };
    },
  },
  validation: {
    validationError: (result) =>
      new InputValidationError(
        'input',
        result.issues.map((issue) => ({
          path: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
          message: issue.message,
        })),
      ),
  },
});
