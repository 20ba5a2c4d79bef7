/**
 * A schema migration as the stores apply it: numbered, named, plain SQL.
 *
 * Migrations are TypeScript arrays rather than `.sql` files so that they ship with the module graph
 * (no file lookups relative to the install directory) and so that each dialect's list reads top to
 * bottom as the history of its schema. A migration, once released, is never edited: add a new one.
 */

export interface Migration {
  /** 1, 2, 3, ... without gaps; recorded in `schema_migrations` once applied. */
  version: number;
  /** A short description, recorded beside the version. */
  name: string;
  /** One or more statements, applied in the same transaction as the bookkeeping row. */
  sql: string;
}

/** Throws when a list is not numbered 1, 2, 3, ... so that a mistake shows up at the first start-up. */
export function checkMigrationList(dialect: string, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `${dialect} migrations must be numbered 1, 2, 3, ...: found version ${migration.version} at position ${index + 1}`,
      );
    }
  });
}

/** Refuses to run against a database migrated by a newer release, whose schema this code does not know. */
export function checkNotNewer(dialect: string, appliedVersions: Iterable<number>, known: number): void {
  for (const version of appliedVersions) {
    if (version > known) {
      throw new Error(
        `${dialect} database has schema version ${version}, newer than this release knows (${known}); upgrade orquestra`,
      );
    }
  }
}
