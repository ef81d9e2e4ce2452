import type { Command } from 'commander';
import { MIGRATIONS } from '@auditstack/migrations';
import { createDataSource } from '@auditstack/audit-core/server';
import { openDatabaseTarget } from '../database/database-target.util';
import { applyMigrations, pendingMigrations, renderMigrationSql, schemaDrift } from '../database/migration-runner.util';
import { AUDIT_READER_ROLE, setReaderPassword } from '../database/reader-password.util';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (a no-op when none are pending); with AUDIT_DATASOURCE_PASSWORD set, also give the SQL checks\' reader role that password')
    .option('--dry-run', 'print the SQL that would run and change nothing')
    .option('--check-drift', 'after migrating, fail if the entities and the schema disagree')
    .action(async (options: { dryRun?: boolean; checkDrift?: boolean }) => {
      const target = await openDatabaseTarget();
      const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-cli', migrations: [...MIGRATIONS], poolMax: 2 });
      try {
        await dataSource.initialize();
        const pending = await pendingMigrations(dataSource);
        if (options.dryRun) {
          if (pending.length === 0) {
            console.error(`-- ${target.describe}: no pending migrations; nothing would run`);
          } else {
            console.error(`-- ${target.describe}: ${pending.length} pending migration(s); dry run, nothing applied`);
            console.log(renderMigrationSql(pending));
          }
          return;
        }
        const applied = await applyMigrations(dataSource);
        console.log(applied.length === 0 ? 'no pending migrations' : `applied ${applied.length} migration(s): ${applied.join(', ')}`);
        const readerPassword = process.env.AUDIT_DATASOURCE_PASSWORD;
        if (readerPassword) {
          await setReaderPassword(dataSource, readerPassword);
          console.log(`password of ${AUDIT_READER_ROLE} set from AUDIT_DATASOURCE_PASSWORD`);
        }
        if (options.checkDrift) {
          const drift = await schemaDrift(dataSource);
          if (drift.length > 0) {
            console.error(`schema drift: the entities need ${drift.length} statement(s) the migrations do not contain:`);
            for (const statement of drift) console.error(`  ${statement};`);
            process.exitCode = 1;
          } else {
            console.log('no drift: entities and migrated schema agree');
          }
        }
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await target.release();
      }
    });
}
