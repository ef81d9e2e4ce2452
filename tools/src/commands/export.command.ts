import type { Command } from 'commander';
import { exportBundle } from '@auditstack/evidence-store';
import { withEvidenceService } from '../evidence/evidence-cli.util';

function seqOption(value: string): number {
  const n = Number(value);
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`not a ledger seq: ${value}`);
  return n;
}

/** `auditstack export`: writes an evidence bundle that `auditstack verify --bundle` checks with no database. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export an evidence bundle: ledger, row payloads, checkpoints, anchor copy, public keys, manifest with SHA-256s')
    .requiredOption('--out <dir>', 'folder to write (created; must not already hold a bundle)')
    .option('--from <seq>', 'first leaf whose row payload is exported (every ledger entry is always exported)', seqOption)
    .option('--to <seq>', 'leaf after the last one whose row payload is exported', seqOption)
    .action(async (options: { out: string; from?: number; to?: number }) => {
      const manifest = await withEvidenceService((service) =>
        exportBundle(service, options.out, { ...(options.from !== undefined ? { from: options.from } : {}), ...(options.to !== undefined ? { to: options.to } : {}) }),
      );
      const c = manifest.counts;
      console.log(
        `exported ${c.entries} ledger entries, ${c.payloads} payloads (seq ${manifest.payload_range.from}..${manifest.payload_range.to}), ${c.checkpoints} checkpoints, ${c.anchors} anchors, ${c.keys} keys to ${options.out}`,
      );
    });
}
