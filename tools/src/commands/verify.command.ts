import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { VerifyReport } from '@auditstack/evidence';
import { verifyBundle } from '@auditstack/evidence-store';
import { couldNotCheck, EXIT_CODES } from '../cli/exit-codes';
import { jsonOption, writeJson } from '../cli/cli-output.util';
import { formatVerdict, verifyProgressBar, withEvidenceService } from '../evidence/evidence-cli.util';

interface VerifyOptions {
  bundle?: string;
  anchor?: string;
  trust?: string;
  json?: boolean;
}

/**
 * `auditstack verify`: the fail-closed evidence check, online against the
 * database or offline against an export bundle. Exit 0 only when everything
 * verifies; 1 when a problem was found; 3 when the ledger could not be read
 * (database unreachable, bundle folder missing). Online, trust comes from the
 * pinned trust file only (`TRUST_ROOT_MISSING` without one), never from the key on disk.
 * With `--json` the whole {@link VerifyReport} is the stdout document.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'verify the evidence ledger (online, or offline with --bundle); exit 0 only when everything verifies, 1 on a problem, 3 when it could not be read',
    )
    .option('--bundle <dir>', 'verify an export bundle offline (no database)')
    .option('--anchor <file>', 'anchor file from its own trust domain (default: the configured one, or the bundle copy)')
    .option(
      '--trust <file>',
      'the pinned trust root (verifier keys and policy floors), ideally your out-of-band copy (default: EVIDENCE_TRUST_FILE, or the bundle keys; never the key file on disk)',
    )
    .addOption(jsonOption())
    .action(async (options: VerifyOptions) => {
      // Files named on the command line must exist: a missing one means no answer (3), not a finding.
      for (const [flag, path] of [
        ['--bundle', options.bundle],
        ['--anchor', options.anchor],
        ['--trust', options.trust],
      ] as const) {
        if (path !== undefined && !existsSync(path)) throw couldNotCheck(`${flag} ${path}: no such file or folder`);
      }
      const progress = verifyProgressBar();
      let report: VerifyReport;
      let source: string;
      try {
        if (options.bundle) {
          source = `bundle ${options.bundle}`;
          // A bundle vouching for itself proves little: say where trust came from.
          if (!options.trust) console.error('note: trusting the verifier keys inside the bundle; pass --trust <file> with keys from a source you trust');
          if (!options.anchor)
            console.error('note: checking the anchor copy inside the bundle; pass --anchor <file> with the anchor file from its own storage');
          report = await verifyBundle(options.bundle, {
            ...(options.anchor ? { anchorFile: options.anchor } : {}),
            ...(options.trust ? { trustFile: options.trust } : {}),
            onProgress: progress.onProgress,
          });
        } else {
          source = 'database';
          report = await withEvidenceService((service) =>
            service.verifyOnline({
              onProgress: progress.onProgress,
              ...(options.anchor ? { anchorFile: options.anchor } : {}),
              ...(options.trust ? { trustFile: options.trust } : {}),
            }),
          );
        }
      } finally {
        progress.stop();
      }
      if (options.json) {
        writeJson(report);
        console.error(formatVerdict(report, source).split('\n')[0]);
      } else {
        console.log(formatVerdict(report, source));
      }
      process.exitCode = report.ok ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
    });
}
