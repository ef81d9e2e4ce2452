import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { ACTION_TYPES, type CheckRule } from '@auditstack/audit-core';
import type { EvidenceService } from '@auditstack/evidence-store';
import { outcomeFromChecks, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { ENGINE_EVIDENCE } from '../evidence.provider';

export const EvidenceVerifyConfigSchema = z.object({}).strict();
export type EvidenceVerifyConfig = z.infer<typeof EvidenceVerifyConfigSchema>;

const RULE: CheckRule = {
  id: 'evidence.verify',
  description: 'The ledger hash chain, Merkle tree, checkpoint chain, signatures, timestamps, anchors and every covered row verify (fail-closed).',
  reference: 'RFC 6962 §2.1, C2SP tlog-checkpoint',
};

/** Problems quoted in the message and kept in the evidence. */
const MAX_PROBLEMS = 20;

/** `evidence_verify`: the self-audit — a failed verification is a red run on the dashboard. */
@ActionType({
  type: ACTION_TYPES.evidenceVerify,
  config: EvidenceVerifyConfigSchema,
  description: 'Verifies the evidence ledger online (fail-closed); any problem fails the run.',
})
export class EvidenceVerifyAction implements ActionHandler<EvidenceVerifyConfig> {
  constructor(@Inject(ENGINE_EVIDENCE) private readonly evidence: EvidenceService) {}

  async run(_action: ActionView<EvidenceVerifyConfig>): Promise<RunOutcome> {
    const report = await this.evidence.verifyOnline();
    const problems = report.problems
      .slice(0, MAX_PROBLEMS)
      .map((p) => ({ code: p.code, seq: p.seq ?? null, checkpoint: p.checkpoint ?? null, detail: p.detail.slice(0, 500) }));
    const c = report.counts;
    const message = report.ok
      ? `verified ${c.entries} ledger entries, ${c.rows} rows, ${c.validCheckpoints}/${c.checkpoints} checkpoints`
      : `${c.problems} problem(s): ${problems
          .slice(0, 5)
          .map((p) => `${p.code}${p.seq !== null ? ` at seq ${p.seq}` : ''}: ${p.detail}`)
          .join('; ')}`;
    return outcomeFromChecks(
      [
        {
          check_id: RULE.id,
          target: 'ledger',
          status: report.ok ? 'pass' : 'fail',
          message: message.slice(0, 4000),
          rule: RULE,
          evidence: { counts: c, problems },
        },
      ],
      { ok: report.ok, counts: c },
    );
  }
}
