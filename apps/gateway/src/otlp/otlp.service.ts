import { Inject, Injectable } from '@nestjs/common';
import { DomainError, EVENT_KINDS, OTLP_ROUTES, type RouteBody, type RouteResult } from '@auditstack/audit-core';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { GatewayErrorCode } from '../gateway.errors';
import type { ValidatedItem } from '../ingest/event-validation.util';
import { IngestService } from '../ingest/ingest.service';
import type { EventKind } from '../storage/storage.types';
import { countLogRecords, mapLogsRequest, MAX_OTLP_LOG_RECORDS, type MappedLogRecord } from './otlp-log-mapping.util';

/** Messages named in `partialSuccess.errorMessage` at most (the count covers all). */
const MAX_ERROR_MESSAGES = 20;
/** Longest `errorMessage`. */
const MAX_ERROR_MESSAGE_CHARS = 4096;

type MappedKind = typeof EVENT_KINDS.tool | typeof EVENT_KINDS.lifecycle | typeof EVENT_KINDS.observability;
const KINDS: readonly MappedKind[] = [EVENT_KINDS.tool, EVENT_KINDS.lifecycle, EVENT_KINDS.observability];

/** What an OTLP export stored, by kind, for metrics and tests. */
export interface OtlpExportOutcome {
  readonly response: RouteResult<typeof OTLP_ROUTES.exportOtlpLogs>;
  readonly accepted: Readonly<Record<MappedKind, number>>;
  readonly rejected: number;
}

/**
 * OTLP logs → native events: each record mapped (tool, lifecycle or
 * observability), validated by its kind's schema (`validateEvent`), stored by
 * the ingest path (`ingestValidated`: group commit, ledger, spool on outage)
 * and answered with the OTLP partial-success response.
 */
@Injectable()
export class OtlpService {
  constructor(
    private readonly ingest: IngestService,
    @Inject(GATEWAY_CONFIG) private readonly config: Readonly<GatewayConfig>,
  ) {}

  async export(body: RouteBody<typeof OTLP_ROUTES.exportOtlpLogs>, workspaceScope: string | null): Promise<OtlpExportOutcome> {
    const total = countLogRecords(body);
    if (total > MAX_OTLP_LOG_RECORDS) {
      throw new DomainError<GatewayErrorCode>('BATCH_TOO_LARGE', `an export holds at most ${MAX_OTLP_LOG_RECORDS} log records, got ${total}`);
    }
    const mapped = mapLogsRequest(body, {
      engineIdAttributes: this.config.OTLP_ENGINE_ID_ATTRIBUTES,
      keptAttributes: this.config.OTLP_KEPT_ATTRIBUTES,
      now: new Date(),
    });
    const errors: string[] = [];
    let rejected = 0;
    const byKind = new Map<MappedKind, { items: ValidatedItem[]; paths: string[] }>();
    for (const record of mapped) {
      const refused = this.refusal(record, workspaceScope);
      if (refused) {
        rejected++;
        errors.push(...refused);
        continue;
      }
      const { kind, row } = record as Extract<MappedLogRecord, { row: unknown }>;
      const group = byKind.get(kind) ?? { items: [], paths: [] };
      byKind.set(kind, group);
      const validated = this.ingest.validate(kind as EventKind, row, workspaceScope);
      group.items.push({ index: group.items.length, ...validated });
      group.paths.push(record.path);
    }
    const accepted: Record<MappedKind, number> = { tool: 0, lifecycle: 0, observability: 0 };
    // One store call per kind, in a fixed order. If a later one fails (storage outage: 503), the exporter
    // retries the whole request and the rows already stored come back as duplicates (event ids are derived).
    for (const kind of KINDS) {
      const group = byKind.get(kind);
      if (!group || group.items.length === 0) continue;
      const { response } = await this.ingest.ingestValidated(kind as EventKind, group.items, false);
      for (const result of response.results) {
        if (result.status === 'rejected') {
          rejected++;
          const path = group.paths[result.index]!;
          for (const message of result.errors ?? ['could not be stored']) errors.push(`${path}: ${message.replace(/^\[\d+\] /, '')}`);
        } else accepted[kind]++;
      }
    }
    const response = rejected === 0 ? {} : { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: summarise(rejected, total, errors) } };
    return { response, accepted, rejected };
  }

  /** Why a record is refused before validation (it could not be mapped, or the caller may not write its kind), or null. */
  private refusal(record: MappedLogRecord, workspaceScope: string | null): readonly string[] | null {
    if ('errors' in record) return record.errors;
    // Lifecycle and observability events belong to no workspace (fleet-wide): only an unscoped writer may add them.
    if (workspaceScope !== null && record.kind !== EVENT_KINDS.tool) {
      return [`${record.path}: ${record.kind} events are fleet-wide; a caller scoped to workspace ${workspaceScope} cannot write them`];
    }
    return null;
  }
}

function summarise(rejected: number, total: number, errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_ERROR_MESSAGES);
  let text = `${rejected} of ${total} log records refused: ${shown.join('; ')}`;
  if (errors.length > shown.length) text += `; … ${errors.length - shown.length} more`;
  return text.length > MAX_ERROR_MESSAGE_CHARS ? `${text.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…` : text;
}
