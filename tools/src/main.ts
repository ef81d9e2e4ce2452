import { Command } from 'commander';
import { registerDbCommand } from './commands/db.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerTokensCommand } from './commands/tokens.command';
import { registerUpCommand } from './commands/up.command';

const program = new Command('auditstack')
  .description('auditstack: scheduled audit checks, lifecycle and tool-governance events, and a tamper-evident evidence ledger')
  .showHelpAfterError();

registerUpCommand(program);
registerMigrateCommand(program);
registerDbCommand(program);
registerTokensCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`auditstack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
