import type { Command } from 'commander';
import { jsonOption, writeJson } from '../cli/cli-output.util';
import { usageError } from '../cli/exit-codes';
import { withEvidenceService } from '../evidence/evidence-cli.util';

interface CheckpointOptions {
  trustCurrentKey?: string;
  rotateKey?: string;
  json?: boolean;
}

/**
 * `auditstack checkpoint`: signs, timestamps, stores and anchors a checkpoint
 * of the ledger now. Stdout: the signed note (C2SP signed-note text), or with
 * `--json` `{ tree_size, timestamp_kind, anchor_file, verifier_key, note, rotation, trust_reset }`.
 */
export function registerCheckpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description('make a signed, timestamped checkpoint of the ledger now and append it to the anchor file')
    .option(
      '--trust-current-key <reason>',
      'operator reset: add the current signing key to the pinned trust file (only when the key that signed the existing checkpoints is truly lost; say why)',
    )
    .option(
      '--rotate-key <reason>',
      'rotate the signing key on the record: a ledgered rotation marker, covered by a checkpoint signed with the old key, then the new key',
    )
    .addOption(jsonOption())
    .action(async (options: CheckpointOptions) => {
      if (options.rotateKey !== undefined && options.rotateKey.trim() === '') throw usageError('--rotate-key needs a reason');
      if (options.trustCurrentKey !== undefined && options.trustCurrentKey.trim() === '') throw usageError('--trust-current-key needs a reason');
      const made = await withEvidenceService(async (service) => {
        let rotation: { old_key: string; new_key: string; marker_seq: number; covered_by_tree_size: number } | null = null;
        let trustReset: { trust_file: string; added_key: string } | null = null;
        if (options.rotateKey !== undefined) {
          const r = await service.rotateKey(options.rotateKey);
          rotation = { old_key: r.oldKey, new_key: r.newKey, marker_seq: r.markerSeq, covered_by_tree_size: r.checkpoint.treeSize };
          console.error(
            `key rotated: ${r.oldKey} → ${r.newKey} (marker at seq ${r.markerSeq}, covered by checkpoint ${r.checkpoint.treeSize} signed with the old key)\n` +
              `${service.trustFile} now trusts both; update the copy you keep out of band.`,
          );
        }
        if (options.trustCurrentKey !== undefined) {
          const vkey = service.trustCurrentKey(options.trustCurrentKey);
          trustReset = { trust_file: service.trustFile, added_key: vkey };
          console.error(
            `trust root reset: ${service.trustFile} now also trusts ${vkey}\nUpdate the copy you keep out of band: until then \`verify --trust <old copy>\` reports the new checkpoints as UNKNOWN_KEY.`,
          );
        }
        return { made: await service.checkpointNow(), anchorFile: service.anchorFile, key: service.verifierKey(), rotation, trustReset };
      });
      console.error(
        `checkpoint of tree size ${made.made.treeSize} (${made.made.timestampKind} timestamp) anchored in ${made.anchorFile}; verifier key ${made.key}`,
      );
      if (options.json) {
        writeJson({
          tree_size: made.made.treeSize,
          timestamp_kind: made.made.timestampKind,
          anchor_file: made.anchorFile,
          verifier_key: made.key,
          note: made.made.note,
          rotation: made.rotation,
          trust_reset: made.trustReset,
        });
      } else {
        process.stdout.write(made.made.note);
      }
    });
}
