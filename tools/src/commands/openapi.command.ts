import type { Command } from 'commander';
import { jsonOption, printResult } from '../cli/cli-output.util';
import { couldNotCheck, EXIT_CODES, usageError } from '../cli/exit-codes';
import { formatBreakingChange } from '../openapi/openapi-breaking.util';
import { checkOpenApiDocument, OpenApiCheckError, writeOpenApiDocuments, type OpenApiDocumentReport } from '../openapi/openapi-check.util';
import { openApiTargets, REPO_ROOT } from '../openapi/openapi-targets.util';

interface OpenApiOptions {
  write?: boolean;
  check?: boolean;
  json?: boolean;
}

function describe(report: OpenApiDocumentReport): string[] {
  const lines = [`${report.file}: ${report.ok ? 'ok' : 'FAILED'}`];
  if (!report.upToDate) {
    lines.push(`  differs from the code (run auditstack openapi --write and commit) at:`);
    for (const path of report.differingPaths) lines.push(`    ${path}`);
  }
  if (report.baseline === null) lines.push('  no committed version to compare with: breaking-change check skipped');
  else if (report.breakingChanges.length > 0) {
    lines.push(
      `  ${report.breakingChanges.length} breaking change(s) against ${report.baseline}${report.majorBumped ? ' (allowed: info.version major bumped)' : ' (bump info.version major to allow them)'}:`,
    );
    for (const change of report.breakingChanges) lines.push(`    ${formatBreakingChange(change)}`);
  } else lines.push(`  no breaking change against ${report.baseline}`);
  return lines;
}

/**
 * `auditstack openapi --write | --check`: the committed OpenAPI documents
 * (`openapi/engine.json`, `openapi/gateway.json`) generated from the route
 * contracts. `--check` (CI) exits 1 when a committed document differs from
 * the code (naming the JSON paths) or when the code breaks clients of the
 * last committed version without a major `info.version` bump; 2 on a usage
 * error, 3 when it could not check (no git).
 */
export function registerOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description('write (--write) or check (--check, CI) the committed OpenAPI documents in openapi/: drift from the code and breaking changes')
    .option('--write', 'generate openapi/engine.json and openapi/gateway.json from the route contracts')
    .option('--check', 'exit 1 when a committed document differs from the code or breaks the last committed version without a major version bump')
    .addOption(jsonOption())
    .action((options: OpenApiOptions) => {
      if (Boolean(options.write) === Boolean(options.check)) throw usageError('openapi: give exactly one of --write or --check');
      const targets = openApiTargets();
      if (options.write) {
        const changed = writeOpenApiDocuments(REPO_ROOT, targets);
        const files = targets.map((t) => t.file);
        printResult(options.json, { ok: true, written: changed, files }, () =>
          changed.length > 0 ? `wrote ${changed.join(', ')}` : `up to date: ${files.join(', ')}`,
        );
        return;
      }
      let reports: OpenApiDocumentReport[];
      try {
        reports = targets.map((target) => checkOpenApiDocument(REPO_ROOT, target));
      } catch (error) {
        if (error instanceof OpenApiCheckError) throw couldNotCheck(`openapi: ${error.message}`, error);
        throw error;
      }
      const ok = reports.every((report) => report.ok);
      printResult(options.json, { ok, documents: reports }, () => reports.flatMap(describe).join('\n'));
      process.exitCode = ok ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
    });
}
