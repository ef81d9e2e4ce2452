import { Injectable } from '@nestjs/common';
import { DomainError, EVENT_KINDS, fieldErrorFromMessage, type ProblemFieldError } from '@auditstack/audit-core';
import type { GatewayErrorCode } from '../gateway.errors';
import type { ValidatedItem } from '../ingest/event-validation.util';
import { IngestService, type BatchResponse, type EventResult } from '../ingest/ingest.service';
import { EventStorageService } from '../storage/event-storage.service';
import { mapCloudEvent, relabelErrors } from './cloudevent-mapper.util';
import { CloudEventBodyError, readCloudEvents, type CloudEventMode } from './cloudevent-reader.util';

type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
type NativeKind = typeof EVENT_KINDS.lifecycle | typeof EVENT_KINDS.tool | typeof EVENT_KINDS.observability;

/** One CloudEvent of a request after mapping and native validation. */
type Prepared = { readonly index: number; readonly kind: NativeKind | null; readonly item: ValidatedItem; readonly forbidden?: boolean };

/** Field errors of a refused single CloudEvent: binary-mode attributes are headers (`ce-time`), everything else the body. */
function fieldErrors(messages: readonly string[], mode: CloudEventMode): ProblemFieldError[] {
  return messages.map((message) => {
    const error = fieldErrorFromMessage(message, 'body');
    if (mode === 'binary' && error.path !== '' && !error.path.startsWith('data')) return { ...error, path: `ce-${error.path}`, in: 'header' };
    return error;
  });
}

/**
 * CloudEvents 1.0 over HTTP → native events: reads the request (binary,
 * structured or batch, through the `cloudevents` SDK plus our own checks),
 * maps each event by its `type` (docs/ingest-formats.md, "CloudEvents") to a
 * lifecycle, tool or observability event, validates it with the native schema
 * and stores the valid ones through the ingest path (group commit, ledger,
 * spool on outage). Lifecycle and observability events are fleet-wide: a
 * workspace-scoped caller may not write them.
 */
@Injectable()
export class CloudEventsService {
  constructor(
    private readonly ingest: IngestService,
    private readonly storage: EventStorageService,
  ) {}

  async receive(headers: RequestHeaders, body: unknown, workspaceScope: string | null): Promise<{ single: boolean; response: BatchResponse }> {
    let read;
    try {
      read = readCloudEvents(headers, body);
    } catch (error) {
      if (error instanceof CloudEventBodyError) {
        if (error.tooLarge) throw new DomainError<GatewayErrorCode>('BATCH_TOO_LARGE', error.message);
        throw new DomainError<GatewayErrorCode>('CLOUDEVENT_REJECTED', error.message, { errors: [{ path: '', rule: error.message, in: 'body' }] });
      }
      throw error;
    }
    const receivedAt = new Date();
    const prepared: Prepared[] = read.items.map((entry): Prepared => {
      if ('errors' in entry) return { index: entry.index, kind: null, item: entry };
      const mapped = mapCloudEvent(entry.event, receivedAt);
      if ('errors' in mapped) return { index: entry.index, kind: null, item: { index: entry.index, errors: mapped.errors } };
      if (mapped.kind !== EVENT_KINDS.tool && workspaceScope !== null) {
        const message = `type: ${mapped.kind} events are fleet-wide; a caller scoped to workspace ${workspaceScope} cannot write them`;
        return { index: entry.index, kind: mapped.kind, item: { index: entry.index, errors: [message] }, forbidden: true };
      }
      const validated = this.ingest.validate(mapped.kind, mapped.input, workspaceScope);
      if ('errors' in validated) {
        return { index: entry.index, kind: mapped.kind, item: { index: entry.index, errors: relabelErrors(validated.errors, mapped.origins) } };
      }
      // Accepted but flagged (unknown metadata keys kept, an unrecognised tool status): the warnings name the CloudEvent's fields too.
      const warnings = validated.warnings ? { warnings: relabelErrors(validated.warnings, mapped.origins) } : {};
      return { index: entry.index, kind: mapped.kind, item: { index: entry.index, ...validated, ...warnings } };
    });

    if (read.mode !== 'batch') {
      const only = prepared[0]!;
      if ('errors' in only.item) {
        if (only.forbidden) throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', only.item.errors.join('; ').replace(/^type: /, ''));
        throw new DomainError<GatewayErrorCode>('CLOUDEVENT_REJECTED', only.item.errors.join('; '), { errors: fieldErrors(only.item.errors, read.mode) });
      }
      return this.ingest.ingestValidated(only.kind!, [only.item], true);
    }

    // A batch may mix kinds: each kind goes through the ingest path on its own (events with no kind are answered here).
    const results: EventResult[] = [];
    let backend: string | null = null;
    for (const kind of [EVENT_KINDS.lifecycle, EVENT_KINDS.tool, EVENT_KINDS.observability] as const) {
      const items = prepared.filter((p) => p.kind === kind).map((p) => p.item);
      if (items.length === 0) continue;
      const { response } = await this.ingest.ingestValidated(kind, items, false);
      results.push(...response.results);
      backend = response.backend;
    }
    for (const p of prepared) {
      if (p.kind === null && 'errors' in p.item) {
        results.push({ index: p.index, status: 'rejected', errors: p.item.errors.map((e) => `[${p.index}] ${e}`) });
      }
    }
    results.sort((a, b) => a.index - b.index);
    const count = (status: EventResult['status']): number => results.filter((r) => r.status === status).length;
    return {
      single: false,
      response: { results, accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), backend: backend ?? this.storage.active() },
    };
  }
}
