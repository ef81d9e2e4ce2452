import { Inject, Injectable } from '@nestjs/common';
import { DomainError, EVENT_KINDS } from '@auditstack/audit-core';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { GatewayErrorCode } from '../gateway.errors';
import type { ValidatedItem } from '../ingest/event-validation.util';
import { IngestService, type BatchResponse } from '../ingest/ingest.service';
import { K8sAuditEnvelopeError, mapK8sAuditEvent, readK8sAuditEnvelope, renameColumnInMessage } from './k8s-audit-mapper.util';

/**
 * The Kubernetes audit webhook path: read the envelope, map each audit Event
 * to a cluster audit row, validate it with audit-core's schema and store the
 * valid ones through the shared ingest path (group commit, ledger leaves, the
 * spool while PostgreSQL is down). Nothing is acknowledged before it is
 * durable.
 *
 * kube-apiserver resends a whole batch on any non-2xx answer, and drops it
 * after its retries: so only an unreadable envelope is a 400, a malformed item
 * is rejected alone (its outcome says why), and a retry of events already
 * stored answers `duplicate` (each event's id derives from its canonical
 * content, cluster id, audit ID and stage included).
 */
@Injectable()
export class K8sAuditService {
  private readonly clusterId: string | null;

  constructor(
    private readonly ingest: IngestService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.clusterId = config.K8S_AUDIT_CLUSTER_ID ?? null;
  }

  /**
   * @throws DomainError K8S_AUDIT_REJECTED (the body is no audit EventList or Event), BATCH_TOO_LARGE (> 10,000 items).
   */
  async ingestBody(body: unknown): Promise<BatchResponse> {
    let items: readonly unknown[];
    try {
      items = readK8sAuditEnvelope(body).items;
    } catch (error) {
      if (!(error instanceof K8sAuditEnvelopeError)) throw error;
      if (error.tooLarge) throw new DomainError<GatewayErrorCode>('BATCH_TOO_LARGE', error.message);
      const [path, ...rule] = error.message.split(': ');
      throw new DomainError<GatewayErrorCode>('K8S_AUDIT_REJECTED', error.message, { errors: [{ path: path ?? '', rule: rule.join(': '), in: 'body' }] });
    }
    const validated: ValidatedItem[] = items.map((item, index) => {
      const mapped = mapK8sAuditEvent(item, this.clusterId);
      if ('errors' in mapped) return { index, errors: mapped.errors };
      const checked = this.ingest.validate(EVENT_KINDS.cluster, mapped.row, null);
      if ('errors' in checked) return { index, errors: checked.errors.map(renameColumnInMessage) };
      return { index, ...checked };
    });
    // Always the batch answer (one outcome per item), even for a lone Event: a refused item is a 200 outcome, not a 400.
    return (await this.ingest.ingestValidated(EVENT_KINDS.cluster, validated, false)).response;
  }
}
