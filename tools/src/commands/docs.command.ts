import { join } from 'node:path';
import type { Command } from 'commander';
import { GENERATED_DOCS, staleDocs, writeDocs } from '../docs/docs-files.util';

interface DocsOptions {
  write?: boolean;
  check?: boolean;
  json?: boolean;
}

const ROOT = join(__dirname, '..', '..', '..');

/** Exit codes of `auditstack docs` (the CLI's convention). */
export const DOCS_EXIT = { ok: 0, stale: 1, usage: 2 } as const;

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
    .option('--json', 'print the result as JSON on stdout')
    .action((options: DocsOptions) => {
      if (Boolean(options.write) === Boolean(options.check)) {
        console.error('auditstack docs: give exactly one of --write or --check');
        process.exitCode = DOCS_EXIT.usage;
        return;
      }
      const files = GENERATED_DOCS.map((doc) => doc.file);
      if (options.write) {
        const written = writeDocs(ROOT);
        if (options.json) console.log(JSON.stringify({ written, files }, null, 2));
        else console.log(written.length > 0 ? `wrote ${written.join(', ')}` : `up to date: ${files.join(', ')}`);
        return;
      }
      const stale = staleDocs(ROOT);
      if (options.json) console.log(JSON.stringify({ ok: stale.length === 0, stale, files }, null, 2));
      else if (stale.length > 0) console.log(`stale (run auditstack docs --write and commit): ${stale.join(', ')}`);
      else console.log(`up to date: ${files.join(', ')}`);
      process.exitCode = stale.length === 0 ? DOCS_EXIT.ok : DOCS_EXIT.stale;
    });
}
