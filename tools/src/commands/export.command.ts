import type { Command } from 'commander';
import { exportBundle } from '@auditstack/evidence-store';
import { jsonOption, printResult } from '../cli/cli-output.util';
import { naturalNumber } from '../cli/option-parsers.util';
import { withEvidenceService } from '../evidence/evidence-cli.util';

/**
 * `auditstack export`: writes an evidence bundle that `auditstack verify --bundle` checks with no database.
 * With `--json`: `{ out, manifest }` (the bundle's manifest.json).
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export an evidence bundle: ledger, row payloads, checkpoints, anchor copy, public keys, manifest with SHA-256s')
    .requiredOption('--out <dir>', 'folder to write (created; must not already hold a bundle)')
    .option('--from <seq>', 'first leaf whose row payload is exported (every ledger entry is always exported)', naturalNumber)
    .option('--to <seq>', 'leaf after the last one whose row payload is exported', naturalNumber)
    .addOption(jsonOption())
    .action(async (options: { out: string; from?: number; to?: number; json?: boolean }) => {
      const manifest = await withEvidenceService((service) =>
        exportBundle(service, options.out, {
          ...(options.from !== undefined ? { from: options.from } : {}),
          ...(options.to !== undefined ? { to: options.to } : {}),
        }),
      );
      const c = manifest.counts;
      printResult(
        options.json,
        { out: options.out, manifest },
        () =>
          `exported ${c.entries} ledger entries, ${c.payloads} payloads (seq ${manifest.payload_range.from}..${manifest.payload_range.to}), ${c.checkpoints} checkpoints, ${c.anchors} anchors, ${c.keys} keys to ${options.out}`,
      );
    });
}
