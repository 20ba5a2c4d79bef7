/**
 * The PostgreSQL the engine and history benchmarks use when it answers: ORQUESTRA_BENCH_POSTGRES_URL,
 * by default the local test database. Each benchmark works in a schema of its own and drops it.
 */

import pg from 'pg';

export const postgresUrl = (): string =>
  process.env.ORQUESTRA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export function withSchema(url: string, schema: string): string {
  const withSchema = new URL(url);
  withSchema.searchParams.set('schema', schema);
  return withSchema.toString();
}
