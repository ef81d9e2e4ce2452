import { Controller, Get, Inject, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import type { CheckpointJson, ConsistencyProofJson, EvidenceService, InclusionProofJson, LedgerEntryJson } from '@auditstack/evidence-store';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { ApiParamsFrom, ApiQueryFrom } from '../lifecycle/openapi-query.util';
import { EvidenceExceptionFilter } from './evidence-exception.filter';
import { leafWorkspace } from './evidence-scope.util';
import { EvidenceStatusService, type EvidenceStatus } from './evidence-status.service';
import { CheckpointPageQuerySchema, ConsistencyQuerySchema, InclusionQuerySchema, SeqParamsSchema } from './evidence-params.schema';
import { EVIDENCE_SERVICE } from './evidence.tokens';

/**
 * Evidence over HTTP (`evidence.read`): signed checkpoints, inclusion and
 * consistency proofs (RFC 9162) and single ledger entries with the checkpoint
 * covering them — enough for a client to verify with `@auditstack/evidence`
 * (or any RFC 6962 / C2SP implementation) without trusting this server.
 *
 * A workspace-scoped caller (scoped token, or an agent named by a trusted
 * proxy) sees only the leaves of its workspace's tool events: any other entry
 * or inclusion proof answers 404 exactly as a seq that does not exist (hidden,
 * not redacted — not even its kind or ref leaks). Status, checkpoints and
 * consistency proofs carry only sizes and hashes and stay readable.
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
    private readonly dataSource: DataSource,
  ) {}

  /** 404 for a leaf outside the caller's workspace (the same answer as a seq that does not exist). */
  private async assertVisible(principal: Principal, seq: number): Promise<void> {
    if (principal.workspaceId === null) return;
    if ((await leafWorkspace(this.dataSource, seq)) !== principal.workspaceId) throw new NotFoundException(`no ledger entry with seq ${seq}`);
  }

  /** Ledger size, newest checkpoint, uncovered leaves, the configured cadence and the anchor's last line. */
  @Get('status')
  status(): Promise<EvidenceStatus> {
    return this.statusService.status();
  }

  /** Checkpoints, newest first; pass `next_cursor` back as `cursor` for the next page. */
  @Get('checkpoints')
  @ApiQueryFrom(CheckpointPageQuerySchema)
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
  @ApiParamsFrom(SeqParamsSchema)
  @ApiQueryFrom(InclusionQuerySchema)
  async inclusion(
    @Param(new ZodValidationPipe(SeqParamsSchema)) p: z.output<typeof SeqParamsSchema>,
    @Query(new ZodValidationPipe(InclusionQuerySchema)) q: z.output<typeof InclusionQuerySchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<InclusionProofJson> {
    await this.assertVisible(principal, p.seq);
    return this.evidence.inclusionProof(p.seq, q.tree_size);
  }

  /** Consistency proof from tree size `from` to the checkpoint of size `to`. */
  @Get('proofs/consistency')
  @ApiQueryFrom(ConsistencyQuerySchema)
  async consistency(@Query(new ZodValidationPipe(ConsistencyQuerySchema)) q: z.output<typeof ConsistencyQuerySchema>): Promise<ConsistencyProofJson> {
    return this.evidence.consistencyProof(q.from, q.to);
  }

  /** One ledger entry and the first checkpoint covering it (null until one does). */
  @Get('entries/:seq')
  @ApiParamsFrom(SeqParamsSchema)
  async entry(
    @Param(new ZodValidationPipe(SeqParamsSchema)) p: z.output<typeof SeqParamsSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ entry: LedgerEntryJson; checkpoint: CheckpointJson | null }> {
    await this.assertVisible(principal, p.seq);
    return this.evidence.entry(p.seq);
  }
}
