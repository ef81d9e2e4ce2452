import { Command } from 'commander';
import { registerBenchCommand } from '../commands/bench.command';
import { registerCheckpointCommand } from '../commands/checkpoint.command';
import { registerDbCommand } from '../commands/db.command';
import { registerDemoCommand } from '../commands/demo.command';
import { registerDocsCommand } from '../commands/docs.command';
import { registerEmitCommand } from '../commands/emit.command';
import { registerExportCommand } from '../commands/export.command';
import { registerJobsCommand } from '../commands/jobs.command';
import { registerMigrateCommand } from '../commands/migrate.command';
import { registerProofCommand } from '../commands/proof.command';
import { registerSeedCommand } from '../commands/seed.command';
import { registerTokensCommand } from '../commands/tokens.command';
import { registerUpCommand } from '../commands/up.command';
import { registerVerifyCommand } from '../commands/verify.command';
import { argvRequestsJson, enterJsonMode, isJsonMode, reservesStdoutForJson, writeJson } from './cli-output.util';
import { classifyError, EXIT_CODES, EXIT_REASONS, type ExitCode } from './exit-codes';

/**
 * `auditstack openapi` loads service-kit (NestJS, zod-openapi) to build the
 * documents: as much again as the rest of the CLI. It is registered only when
 * it can run or be listed, so `verify` in a cron job does not pay for it.
 */
function registerOpenApi(program: Command): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above); `import()` would make it an ES module load
  (require('../commands/openapi.command') as typeof import('../commands/openapi.command')).registerOpenApiCommand(program);
}

/** Commands that are heavy to load, by name: registered by {@link buildProgram} only when the command line may need them. */
const ON_DEMAND: Readonly<Record<string, (program: Command) => void>> = { openapi: registerOpenApi };

/** The command a command line names (its first word that is not an option), if any. */
function namedCommand(args: readonly string[]): string | undefined {
  return args.find((arg) => !arg.startsWith('-'));
}

/**
 * The `auditstack` program. Usage errors do not exit inside commander
 * (`exitOverride`): {@link runCli} maps them to exit 2.
 *
 * @param args - the command line (without node and the script); when given,
 *   a command in {@link ON_DEMAND} is registered only if the line names it,
 *   names none (program help) or asks for `help`. Without it, every command is.
 */
export function buildProgram(args?: readonly string[]): Command {
  const program = new Command('auditstack')
    .description('auditstack: scheduled audit checks, lifecycle and tool-governance events, and a tamper-evident evidence ledger')
    .showHelpAfterError()
    // Set before the commands are added: commander copies it (and showHelpAfterError) to each subcommand.
    .exitOverride();
  program.hook('preAction', (_program, actionCommand) => {
    if (actionCommand.opts().json === true && reservesStdoutForJson(actionCommand)) enterJsonMode();
  });

  registerUpCommand(program);
  registerMigrateCommand(program);
  registerDbCommand(program);
  registerTokensCommand(program);
  registerSeedCommand(program);
  registerDemoCommand(program);
  registerJobsCommand(program);
  registerVerifyCommand(program);
  registerExportCommand(program);
  registerProofCommand(program);
  registerCheckpointCommand(program);
  registerBenchCommand(program);
  registerEmitCommand(program);
  registerDocsCommand(program);
  const named = args === undefined ? undefined : namedCommand(args);
  for (const [name, register] of Object.entries(ON_DEMAND)) {
    if (args === undefined || named === undefined || named === name || named === 'help') register(program);
  }
  return program;
}

/** Every command that runs something (no subcommands of its own), depth first: each must take `--json`. */
export function runnableCommands(command: Command): Command[] {
  if (command.commands.length === 0) return [command];
  return command.commands.flatMap((sub) => runnableCommands(sub));
}

/** `auditstack tokens create`: the command's path from the program, for messages. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Runs the CLI on `argv` (process.argv shape). Resolves with the exit code
 * when the command failed (the caller exits with it); on success the
 * command's own `process.exitCode` stands and long-running commands keep the
 * process alive. An error is printed on stderr and, with `--json`, also as
 * `{ ok: false, error: { exit_code, reason, code, message } }` on stdout.
 */
export async function runCli(argv: readonly string[]): Promise<ExitCode | null> {
  const program = buildProgram(argv.slice(2));
  try {
    await program.parseAsync([...argv]);
    return null;
  } catch (error) {
    const failure = classifyError(error);
    if (failure.exitCode === EXIT_CODES.ok) return EXIT_CODES.ok;
    if (!failure.printed) console.error(`auditstack: ${failure.message}`);
    if (process.env.AUDITSTACK_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
    if (isJsonMode() || argvRequestsJson(argv.slice(2))) {
      writeJson({
        ok: false,
        error: { exit_code: failure.exitCode, reason: EXIT_REASONS[failure.exitCode], code: failure.code, message: failure.message.replace(/^error: /, '') },
      });
    }
    return failure.exitCode;
  }
}
