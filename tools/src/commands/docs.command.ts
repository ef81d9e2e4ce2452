import { join } from 'node:path';
import type { Command } from 'commander';
import { jsonOption, printResult } from '../cli/cli-output.util';
import { EXIT_CODES, usageError } from '../cli/exit-codes';
import { GENERATED_DOCS, staleDocs, writeDocs } from '../docs/docs-files.util';

interface DocsOptions {
  write?: boolean;
  check?: boolean;
  json?: boolean;
}

const ROOT = join(__dirname, '..', '..', '..');

/**
 * `auditstack docs --write | --check`: the documentation generated from the
 * schemas (`docs/events.md`, the event catalog). `--check` (CI) exits 1 when
 * a committed file is stale, naming it; 2 on a usage error.
 */
export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description('write (--write) or check (--check, CI) the documentation generated from the schemas: docs/events.md')
    .option('--write', 'regenerate docs/events.md from the event schemas')
    .option('--check', 'exit 1 when docs/events.md differs from what the schemas generate')
    .addOption(jsonOption())
    .action((options: DocsOptions) => {
      if (Boolean(options.write) === Boolean(options.check)) throw usageError('docs: give exactly one of --write or --check');
      const files = GENERATED_DOCS.map((doc) => doc.file);
      if (options.write) {
        const written = writeDocs(ROOT);
        printResult(options.json, { ok: true, written, files }, () => (written.length > 0 ? `wrote ${written.join(', ')}` : `up to date: ${files.join(', ')}`));
        return;
      }
      const stale = staleDocs(ROOT);
      printResult(options.json, { ok: stale.length === 0, stale, files }, () =>
        stale.length > 0 ? `stale (run auditstack docs --write and commit): ${stale.join(', ')}` : `up to date: ${files.join(', ')}`,
      );
      process.exitCode = stale.length === 0 ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
    });
}
