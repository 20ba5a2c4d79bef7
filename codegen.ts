import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: prints the schema (sorted) to schema.graphql, and generates the typed client
 * for the operations the project itself uses (CLI, tests, examples). CI fails when either is stale.
 */
const config: CodegenConfig = {
  schema: './src/schema/index.ts',
  documents: ['src/client/operations.ts', 'src/cli/operations.ts'],
  ignoreNoDocuments: false,
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, sort: true },
    },
    'src/client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        importExtension: '.ts',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
};

export default config;
