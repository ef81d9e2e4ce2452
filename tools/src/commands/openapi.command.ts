import type { Command } from 'commander';
import { formatBreakingChange } from '../openapi/openapi-breaking.util';
import { checkOpenApiDocument, OpenApiCheckError, writeOpenApiDocuments, type OpenApiDocumentReport } from '../openapi/openapi-check.util';
import { openApiTargets, REPO_ROOT } from '../openapi/openapi-targets.util';

interface OpenApiOptions {
  write?: boolean;
  check?: boolean;
  json?: boolean;
}

/** Exit codes of `auditstack openapi` (the CLI's convention). */
export const OPENAPI_EXIT = { ok: 0, checkFailed: 1, usage: 2, couldNotCheck: 3 } as const;

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
    .option('--json', 'print the result as JSON on stdout')
    .action((options: OpenApiOptions) => {
      if (Boolean(options.write) === Boolean(options.check)) {
        console.error('auditstack openapi: give exactly one of --write or --check');
        process.exitCode = OPENAPI_EXIT.usage;
        return;
      }
      const targets = openApiTargets();
      if (options.write) {
        const changed = writeOpenApiDocuments(REPO_ROOT, targets);
        if (options.json) console.log(JSON.stringify({ written: changed, files: targets.map((t) => t.file) }, null, 2));
        else console.log(changed.length > 0 ? `wrote ${changed.join(', ')}` : `up to date: ${targets.map((t) => t.file).join(', ')}`);
        return;
      }
      let reports: OpenApiDocumentReport[];
      try {
        reports = targets.map((target) => checkOpenApiDocument(REPO_ROOT, target));
      } catch (error) {
        if (!(error instanceof OpenApiCheckError)) throw error;
        console.error(`auditstack openapi: could not check: ${error.message}`);
        process.exitCode = OPENAPI_EXIT.couldNotCheck;
        return;
      }
      const ok = reports.every((report) => report.ok);
      if (options.json) console.log(JSON.stringify({ ok, documents: reports }, null, 2));
      else console.log(reports.flatMap(describe).join('\n'));
      process.exitCode = ok ? OPENAPI_EXIT.ok : OPENAPI_EXIT.checkFailed;
    });
}
