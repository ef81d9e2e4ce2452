import { Command } from 'commander';
import { registerDbCommand } from './commands/db.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerJobsCommand } from './commands/jobs.command';
import { registerSeedCommand } from './commands/seed.command';
import { registerTokensCommand } from './commands/tokens.command';
import { registerUpCommand } from './commands/up.command';
import { registerBenchCommand } from './commands/bench.command';
import { registerCheckpointCommand } from './commands/checkpoint.command';
import { registerExportCommand } from './commands/export.command';
import { registerProofCommand } from './commands/proof.command';
import { registerVerifyCommand } from './commands/verify.command';

const program = new Command('auditstack')
  .description('auditstack: scheduled audit checks, lifecycle and tool-governance events, and a tamper-evident evidence ledger')
  .showHelpAfterError();

registerUpCommand(program);
registerMigrateCommand(program);
registerDbCommand(program);
registerTokensCommand(program);
registerSeedCommand(program);
registerJobsCommand(program);
registerVerifyCommand(program);
registerExportCommand(program);
registerProofCommand(program);
registerCheckpointCommand(program);
registerBenchCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`auditstack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
