import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { ACTION_TYPES, type CheckRule } from '@auditstack/audit-core';
import type { EvidenceService } from '@auditstack/evidence-store';
import { outcomeFromChecks, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { ENGINE_EVIDENCE } from '../evidence.provider';

export const EvidenceCheckpointConfigSchema = z
  .object({
    /** Make a checkpoint even when the cadence says none is due. @defaultValue true */
    force: z.boolean().default(true),
  })
  .strict();
export type EvidenceCheckpointConfig = z.infer<typeof EvidenceCheckpointConfigSchema>;

const RULE: CheckRule = {
  id: 'evidence.checkpoint',
  description: 'A signed, timestamped checkpoint of the ledger is made and anchored.',
  reference: 'C2SP tlog-checkpoint, C2SP signed-note, RFC 6962 §2.1',
};

/** `evidence_checkpoint`: the platform's own self-audit — sign and anchor a checkpoint of the evidence ledger. */
@ActionType({
  type: ACTION_TYPES.evidenceCheckpoint,
  config: EvidenceCheckpointConfigSchema,
  description: 'Signs, timestamps and anchors a checkpoint of the evidence ledger.',
})
export class EvidenceCheckpointAction implements ActionHandler<EvidenceCheckpointConfig> {
  constructor(@Inject(ENGINE_EVIDENCE) private readonly evidence: EvidenceService) {}

  async run(action: ActionView<EvidenceCheckpointConfig>): Promise<RunOutcome> {
    const made = action.config.force ? await this.evidence.checkpointNow() : await this.evidence.maybeCheckpoint('tick');
    const check = made
      ? {
          check_id: RULE.id,
          target: 'ledger',
          status: 'pass' as const,
          message: `checkpoint at tree size ${made.treeSize} (root ${made.rootHash.slice(0, 16)}…, ${made.timestampKind} timestamp)`,
          rule: RULE,
          evidence: { tree_size: made.treeSize, root_hash: made.rootHash, checkpoint_hash: made.checkpointHash, timestamp_kind: made.timestampKind },
        }
      : { check_id: RULE.id, target: 'ledger', status: 'pass' as const, message: 'no checkpoint due', rule: RULE, evidence: {} };
    return outcomeFromChecks([check], made ? { tree_size: made.treeSize, root_hash: made.rootHash } : { tree_size: null });
  }
}
