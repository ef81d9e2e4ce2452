// The auditstack CLI for the SDK's specs: the real program (buildProgram), with `emit` added when
// main's program does not register it yet. Exit codes as runCli maps them.
import { buildProgram } from '../../../tools/src/cli/cli-program.util';
import { classifyError } from '../../../tools/src/cli/exit-codes';
import { registerEmitCommand } from '../../../tools/src/commands/emit.command';

const program = buildProgram();
if (!program.commands.some((command) => command.name() === 'emit')) registerEmitCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  const failure = classifyError(error);
  if (!failure.printed) console.error(`auditstack: ${failure.message}`);
  process.exit(failure.exitCode);
});
