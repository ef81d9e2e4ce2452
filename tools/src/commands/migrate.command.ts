import type { Command } from 'commander';
import { MIGRATIONS } from '@auditstack/migrations';
import { createDataSource } from '@auditstack/audit-core/server';
import { openDatabaseTarget } from '../database/database-target.util';
import { applyMigrations, pendingMigrations, renderMigrationSql, schemaDrift } from '../database/migration-runner.util';
import { AUDIT_READER_ROLE, setReaderPassword } from '../database/reader-password.util';
import { jsonOption, writeJson } from '../cli/cli-output.util';
import { EXIT_CODES } from '../cli/exit-codes';

interface MigrateOptions {
  dryRun?: boolean;
  checkDrift?: boolean;
  json?: boolean;
}

/** `auditstack migrate --json`: what was pending, what ran, and the drift found (null when not checked). */
export interface MigrateResult {
  database: string;
  dry_run: boolean;
  pending: string[];
  applied: string[];
  /** The SQL a dry run would execute (null when not a dry run or nothing is pending). */
  sql: string | null;
  reader_password_set: boolean;
  /** Statements the entities need that the migrations lack; [] = no drift; null = not checked. */
  drift: string[] | null;
}

/**
 * `auditstack migrate`: applies pending migrations. Exit 1 when `--check-drift`
 * finds the entities and the migrated schema disagree; 3 when the database is out of reach.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      "apply pending database migrations (a no-op when none are pending); with AUDIT_DATASOURCE_PASSWORD set, also give the SQL checks' reader role that password",
    )
    .option('--dry-run', 'print the SQL that would run and change nothing')
    .option('--check-drift', 'after migrating, fail (exit 1) if the entities and the schema disagree')
    .addOption(jsonOption())
    .action(async (options: MigrateOptions) => {
      const target = await openDatabaseTarget();
      const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-cli', migrations: [...MIGRATIONS], poolMax: 2 });
      const result: MigrateResult = {
        database: target.describe,
        dry_run: options.dryRun === true,
        pending: [],
        applied: [],
        sql: null,
        reader_password_set: false,
        drift: null,
      };
      try {
        await dataSource.initialize();
        const pending = await pendingMigrations(dataSource);
        result.pending = pending.map((m) => m.name);
        if (options.dryRun) {
          if (pending.length === 0) {
            console.error(`-- ${target.describe}: no pending migrations; nothing would run`);
          } else {
            console.error(`-- ${target.describe}: ${pending.length} pending migration(s); dry run, nothing applied`);
            result.sql = renderMigrationSql(pending);
            if (!options.json) console.log(result.sql);
          }
          if (options.json) writeJson(result);
          return;
        }
        result.applied = await applyMigrations(dataSource);
        const say = (text: string): void => void (options.json ? console.error(text) : console.log(text));
        say(result.applied.length === 0 ? 'no pending migrations' : `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`);
        const readerPassword = process.env.AUDIT_DATASOURCE_PASSWORD;
        if (readerPassword) {
          await setReaderPassword(dataSource, readerPassword);
          result.reader_password_set = true;
          say(`password of ${AUDIT_READER_ROLE} set from AUDIT_DATASOURCE_PASSWORD`);
        }
        if (options.checkDrift) {
          result.drift = await schemaDrift(dataSource);
          if (result.drift.length > 0) {
            console.error(`schema drift: the entities need ${result.drift.length} statement(s) the migrations do not contain:`);
            for (const statement of result.drift) console.error(`  ${statement};`);
            process.exitCode = EXIT_CODES.checkFailed;
          } else {
            say('no drift: entities and migrated schema agree');
          }
        }
        if (options.json) writeJson(result);
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await target.release();
      }
    });
}
