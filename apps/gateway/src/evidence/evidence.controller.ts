import { Controller, Inject, Param, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  decodeCursor,
  DomainError,
  encodeCursor,
  ENTITLEMENTS,
  GATEWAY_ROUTES,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import type { EvidenceService } from '@auditstack/evidence-store';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { evidenceCall } from './evidence-error.util';
import { CheckpointPositionSchema } from './evidence-params.schema';
import { leafWorkspace } from './evidence-scope.util';
import { EvidenceStatusService } from './evidence-status.service';
import { EVIDENCE_SERVICE } from './evidence.tokens';

const R = GATEWAY_ROUTES;

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
@RequireEntitlements(ENTITLEMENTS.evidenceRead)
@Controller()
export class EvidenceController {
  constructor(
    @Inject(EVIDENCE_SERVICE) private readonly evidence: EvidenceService,
    private readonly statusService: EvidenceStatusService,
    private readonly dataSource: DataSource,
  ) {}

  /** 404 for a leaf outside the caller's workspace (the same answer as a seq that does not exist). */
  private async assertVisible(principal: Principal, seq: number): Promise<void> {
    if (principal.workspaceId === null) return;
    if ((await leafWorkspace(this.dataSource, seq)) !== principal.workspaceId) {
      throw new DomainError<GatewayErrorCode>('EVIDENCE_NOT_FOUND', `no ledger entry with seq ${seq}`, { members: { evidence_code: 'NOT_FOUND' } });
    }
  }

  /** Ledger size, newest checkpoint, uncovered leaves, the configured cadence and the anchor's last line. */
  @ContractRoute(R.evidenceStatus)
  status(): Promise<RouteResult<typeof R.evidenceStatus>> {
    return this.statusService.status();
  }

  /** Checkpoints, newest first; pass `next_cursor` back as `cursor` for the next page. */
  @ContractRoute(R.listCheckpoints)
  async checkpoints(@Query() q: RouteQuery<typeof R.listCheckpoints>): Promise<RouteResult<typeof R.listCheckpoints>> {
    const before = decodeCursor(q.cursor, CheckpointPositionSchema);
    const page = await evidenceCall(() => this.evidence.listCheckpoints({ limit: q.limit, ...(before !== null ? { beforeId: before } : {}) }));
    return {
      items: page.items as RouteResult<typeof R.listCheckpoints>['items'],
      next_cursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor),
      verifier_key: this.evidence.verifierKey(),
    };
  }

  /** The newest checkpoint (404 before the first one). */
  @ContractRoute(R.latestCheckpoint)
  async latest(): Promise<RouteResult<typeof R.latestCheckpoint>> {
    const latest = await evidenceCall(() => this.evidence.latestCheckpoint());
    if (!latest) throw new DomainError<GatewayErrorCode>('CHECKPOINT_NOT_FOUND', 'no checkpoint has been made yet');
    return { ...(latest as Omit<RouteResult<typeof R.latestCheckpoint>, 'verifier_key'>), verifier_key: this.evidence.verifierKey() };
  }

  /** Inclusion proof of leaf `seq` in the checkpoint of `tree_size` (default: the latest). */
  @ContractRoute(R.inclusionProof)
  async inclusion(
    @Param() p: RouteParams<typeof R.inclusionProof>,
    @Query() q: RouteQuery<typeof R.inclusionProof>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.inclusionProof>> {
    await this.assertVisible(principal, p.seq);
    return (await evidenceCall(() => this.evidence.inclusionProof(p.seq, q.tree_size))) as RouteResult<typeof R.inclusionProof>;
  }

  /** Consistency proof from tree size `from` to the checkpoint of size `to`. */
  @ContractRoute(R.consistencyProof)
  async consistency(@Query() q: RouteQuery<typeof R.consistencyProof>): Promise<RouteResult<typeof R.consistencyProof>> {
    return (await evidenceCall(() => this.evidence.consistencyProof(q.from, q.to))) as RouteResult<typeof R.consistencyProof>;
  }

  /** One ledger entry and the first checkpoint covering it (null until one does). */
  @ContractRoute(R.ledgerEntry)
  async entry(@Param() p: RouteParams<typeof R.ledgerEntry>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.ledgerEntry>> {
    await this.assertVisible(principal, p.seq);
    return (await evidenceCall(() => this.evidence.entry(p.seq))) as RouteResult<typeof R.ledgerEntry>;
  }
}
