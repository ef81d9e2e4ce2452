import type { Command } from 'commander';
import { withEvidenceService } from '../evidence/evidence-cli.util';

function nat(value: string): number {
  const n = Number(value);
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

/** `auditstack proof inclusion|consistency`: RFC 9162 proofs as JSON, naming the checkpoint they verify against. */
export function registerProofCommand(program: Command): void {
  const proof = program.command('proof').description('print Merkle proofs (RFC 9162) against signed checkpoints');

  proof
    .command('inclusion')
    .description('inclusion proof of a ledger leaf in a checkpoint (default: the latest)')
    .argument('<seq>', 'leaf index', nat)
    .option('--checkpoint <size>', 'tree size of the checkpoint to prove against', nat)
    .action(async (seq: number, options: { checkpoint?: number }) => {
      const out = await withEvidenceService((service) => service.inclusionProof(seq, options.checkpoint));
      console.error(`leaf ${seq} is included in the checkpoint of tree size ${out.tree_size} (root ${out.checkpoint.root_hash})`);
      console.log(JSON.stringify(out, null, 2));
    });

  proof
    .command('consistency')
    .description('consistency proof that the tree of size <old> is a prefix of the checkpoint of size <new>')
    .argument('<old>', 'older tree size', nat)
    .argument('<new>', 'tree size of a checkpoint', nat)
    .action(async (from: number, to: number) => {
      const out = await withEvidenceService((service) => service.consistencyProof(from, to));
      console.error(`tree ${from} (root ${out.old_root}) is a prefix of the checkpoint of tree size ${to} (root ${out.new_root})`);
      console.log(JSON.stringify(out, null, 2));
    });
}
