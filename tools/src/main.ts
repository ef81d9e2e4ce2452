import { runCli } from './cli/cli-program.util';

// A failed command exits at once with its code (docs/cli.md, "Exit codes"); a successful one
// ends when its work does, so `up` and `db serve` keep running.
void runCli(process.argv).then((exitCode) => {
  if (exitCode !== null) process.exit(exitCode);
});
