import { Controller, Get, Inject, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { CheckpointJson, ConsistencyProofJson, EvidenceService, InclusionProofJson, LedgerEntryJson } from '@auditstack/evidence-store';
import { RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { EvidenceExceptionFilter } from './evidence-exception.filter';
import { EvidenceStatusService, type EvidenceStatus } from './evidence-status.service';
import { CheckpointPageQuerySchema, ConsistencyQuerySchema, InclusionQuerySchema, SeqParamsSchema } from './evidence-params.schema';
import { EVIDENCE_SERVICE } from './evidence.tokens';

/**
 * Evidence over HTTP (`evidence.read`): signed checkpoints, inclusion and
 * consistency proofs (RFC 9162) and single ledger entries with the checkpoint
 * covering them — enough for a client to verify with `@auditstack/evidence`
 * (or any RFC 6962 / C2SP implementation) without trusting this server.
 */
@ApiTags('evidence')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.evidenceRead)
@UseFilters(EvidenceExceptionFilter)
@Controller('v1/evidence')
export class EvidenceController {
  constructor(
    @Inject(EVIDENCE_SERVICE) private readonly evidence: EvidenceService,
    private readonly statusService: EvidenceStatusService,
  ) {}

  /** Ledger size, newest checkpoint, uncovered leaves, the configured cadence and the anchor's last line. */
  @Get('status')
  status(): Promise<EvidenceStatus> {
    return this.statusService.status();
  }

  /** Checkpoints, newest first; pass `next_cursor` back as `cursor` for the next page. */
  @Get('checkpoints')
  async checkpoints(
    @Query(new ZodValidationPipe(CheckpointPageQuerySchema)) q: z.output<typeof CheckpointPageQuerySchema>,
  ): Promise<{ items: (CheckpointJson & { id: number })[]; next_cursor: number | null; verifier_key: string }> {
    const page = await this.evidence.listCheckpoints({ limit: q.limit, ...(q.cursor !== undefined ? { beforeId: q.cursor } : {}) });
    return { items: page.items, next_cursor: page.nextCursor, verifier_key: this.evidence.verifierKey() };
  }

  /** The newest checkpoint (404 before the first one). */
  @Get('checkpoints/latest')
  async latest(): Promise<CheckpointJson & { verifier_key: string }> {
    const latest = await this.evidence.latestCheckpoint();
    if (!latest) throw new NotFoundException('no checkpoint has been made yet');
    return { ...latest, verifier_key: this.evidence.verifierKey() };
  }

  /** Inclusion proof of leaf `seq` in the checkpoint of `tree_size` (default: the latest). */
  @Get('proofs/inclusion/:seq')
  async inclusion(
    @Param(new ZodValidationPipe(SeqParamsSchema)) p: z.output<typeof SeqParamsSchema>,
    @Query(new ZodValidationPipe(InclusionQuerySchema)) q: z.output<typeof InclusionQuerySchema>,
  ): Promise<InclusionProofJson> {
    return this.evidence.inclusionProof(p.seq, q.tree_size);
  }

  /** Consistency proof from tree size `from` to the checkpoint of size `to`. */
  @Get('proofs/consistency')
  async consistency(@Query(new ZodValidationPipe(ConsistencyQuerySchema)) q: z.output<typeof ConsistencyQuerySchema>): Promise<ConsistencyProofJson> {
    return this.evidence.consistencyProof(q.from, q.to);
  }

  /** One ledger entry and the first checkpoint covering it (null until one does). */
  @Get('entries/:seq')
  async entry(@Param(new ZodValidationPipe(SeqParamsSchema)) p: z.output<typeof SeqParamsSchema>): Promise<{ entry: LedgerEntryJson; checkpoint: CheckpointJson | null }> {
    return this.evidence.entry(p.seq);
  }
}
