import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from '@auditstack/audit-core/server';
import { MIGRATIONS, type SqlMigration } from '@auditstack/migrations';

/** Migrations not yet recorded in the database, in order. Reads only: never creates anything. */
export async function pendingMigrations(dataSource: DataSource): Promise<SqlMigration[]> {
  const [{ table }] = (await dataSource.query(`SELECT to_regclass($1) AS table`, [`public.${MIGRATIONS_TABLE}`])) as [{ table: string | null }];
  const applied = new Set<string>(
    table ? ((await dataSource.query(`SELECT name FROM public.${MIGRATIONS_TABLE}`)) as Array<{ name: string }>).map((r) => r.name) : [],
  );
  return MIGRATIONS.map((Migration) => new Migration()).filter((m) => !applied.has(m.name));
}

/** The SQL `migrate` would run, as a script. */
export function renderMigrationSql(migrations: readonly SqlMigration[]): string {
  return migrations.map((m) => [`-- migration ${m.name}`, 'BEGIN;', ...m.upSql.map((s) => `${s.trim()};`), 'COMMIT;'].join('\n\n')).join('\n\n');
}

/** Applies pending migrations, each in its own transaction. Returns their names. */
export async function applyMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/**
 * What TypeORM would generate to make the schema match the entities. Empty
 * means entities and migrations agree; anything else is drift.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
