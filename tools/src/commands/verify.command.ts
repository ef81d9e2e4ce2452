import type { Command } from 'commander';
import type { VerifyReport } from '@auditstack/evidence';
import { verifyBundle } from '@auditstack/evidence-store';
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
 * verifies; 1 when a problem was found. Online, trust comes from the pinned
 * trust file only (`TRUST_ROOT_MISSING` without one), never from the key on disk.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('verify the evidence ledger (online, or offline with --bundle); exit 0 only when everything verifies')
    .option('--bundle <dir>', 'verify an export bundle offline (no database)')
    .option('--anchor <file>', 'anchor file from its own trust domain (default: the configured one, or the bundle copy)')
    .option(
      '--trust <file>',
      'the pinned trust root (verifier keys and policy floors), ideally your out-of-band copy (default: EVIDENCE_TRUST_FILE, or the bundle keys; never the key file on disk)',
    )
    .option('--json', 'print the full report as JSON on stdout')
    .action(async (options: VerifyOptions) => {
      const progress = verifyProgressBar();
      let report: VerifyReport;
      let source: string;
      try {
        if (options.bundle) {
          source = `bundle ${options.bundle}`;
          // A bundle vouching for itself proves little: say where trust came from.
          if (!options.trust) console.error('note: trusting the verifier keys inside the bundle; pass --trust <file> with keys from a source you trust');
          if (!options.anchor) console.error('note: checking the anchor copy inside the bundle; pass --anchor <file> with the anchor file from its own storage');
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
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else console.log(formatVerdict(report, source));
      if (options.json) console.error(formatVerdict(report, source).split('\n')[0]);
      process.exitCode = report.ok ? 0 : 1;
    });
}
