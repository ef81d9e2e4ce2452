import type { Command } from 'commander';
import { withEvidenceService } from '../evidence/evidence-cli.util';

/** `auditstack checkpoint`: signs, timestamps, stores and anchors a checkpoint of the ledger now. */
export function registerCheckpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description('make a signed, timestamped checkpoint of the ledger now and append it to the anchor file')
    .action(async () => {
      const made = await withEvidenceService(async (service) => ({ made: await service.checkpointNow(), anchorFile: service.anchorFile, key: service.verifierKey() }));
      console.error(`checkpoint of tree size ${made.made.treeSize} (${made.made.timestampKind} timestamp) anchored in ${made.anchorFile}; verifier key ${made.key}`);
      process.stdout.write(made.made.note);
    });
}
