import type { Command } from 'commander';
import { jsonOption, writeJson } from '../cli/cli-output.util';
import { naturalNumber } from '../cli/option-parsers.util';
import { withEvidenceService } from '../evidence/evidence-cli.util';

/**
 * `auditstack proof inclusion|consistency`: RFC 9162 proofs, naming the
 * checkpoint they verify against. A proof is data: stdout is its JSON with or
 * without `--json` (accepted like on every command); the one-line summary goes to stderr.
 */
export function registerProofCommand(program: Command): void {
  const proof = program.command('proof').description('print Merkle proofs (RFC 9162) against signed checkpoints');

  proof
    .command('inclusion')
    .description('inclusion proof of a ledger leaf in a checkpoint (default: the latest)')
    .argument('<seq>', 'leaf index', naturalNumber)
    .option('--checkpoint <size>', 'tree size of the checkpoint to prove against', naturalNumber)
    .addOption(jsonOption())
    .action(async (seq: number, options: { checkpoint?: number }) => {
      const out = await withEvidenceService((service) => service.inclusionProof(seq, options.checkpoint));
      console.error(`leaf ${seq} is included in the checkpoint of tree size ${out.tree_size} (root ${out.checkpoint.root_hash})`);
      writeJson(out);
    });

  proof
    .command('consistency')
    .description('consistency proof that the tree of size <old> is a prefix of the checkpoint of size <new>')
    .argument('<old>', 'older tree size', naturalNumber)
    .argument('<new>', 'tree size of a checkpoint', naturalNumber)
    .addOption(jsonOption())
    .action(async (from: number, to: number) => {
      const out = await withEvidenceService((service) => service.consistencyProof(from, to));
      console.error(`tree ${from} (root ${out.old_root}) is a prefix of the checkpoint of tree size ${to} (root ${out.new_root})`);
      writeJson(out);
    });
}
