import type { Command } from 'commander';
import { withEvidenceService } from '../evidence/evidence-cli.util';

interface CheckpointOptions {
  trustCurrentKey?: string;
  rotateKey?: string;
}

/** `auditstack checkpoint`: signs, timestamps, stores and anchors a checkpoint of the ledger now. */
export function registerCheckpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description('make a signed, timestamped checkpoint of the ledger now and append it to the anchor file')
    .option(
      '--trust-current-key <reason>',
      'operator reset: add the current signing key to the pinned trust file (only when the key that signed the existing checkpoints is truly lost; say why)',
    )
    .option('--rotate-key <reason>', 'rotate the signing key on the record: a ledgered rotation marker, covered by a checkpoint signed with the old key, then the new key')
    .action(async (options: CheckpointOptions) => {
      const made = await withEvidenceService(async (service) => {
        if (options.rotateKey !== undefined) {
          if (options.rotateKey.trim() === '') throw new Error('--rotate-key needs a reason');
          const r = await service.rotateKey(options.rotateKey);
          console.error(
            `key rotated: ${r.oldKey} → ${r.newKey} (marker at seq ${r.markerSeq}, covered by checkpoint ${r.checkpoint.treeSize} signed with the old key)\n` +
              `${service.trustFile} now trusts both; update the copy you keep out of band.`,
          );
        }
        if (options.trustCurrentKey !== undefined) {
          if (options.trustCurrentKey.trim() === '') throw new Error('--trust-current-key needs a reason');
          const vkey = service.trustCurrentKey(options.trustCurrentKey);
          console.error(
            `trust root reset: ${service.trustFile} now also trusts ${vkey}\nUpdate the copy you keep out of band: until then \`verify --trust <old copy>\` reports the new checkpoints as UNKNOWN_KEY.`,
          );
        }
        return { made: await service.checkpointNow(), anchorFile: service.anchorFile, key: service.verifierKey() };
      });
      console.error(`checkpoint of tree size ${made.made.treeSize} (${made.made.timestampKind} timestamp) anchored in ${made.anchorFile}; verifier key ${made.key}`);
      process.stdout.write(made.made.note);
    });
}
