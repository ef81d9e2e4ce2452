import { Injectable } from '@nestjs/common';
import { DomainError } from '@auditstack/audit-core';
import { STORAGE_RETRY_AFTER_SECONDS } from '@auditstack/service-kit';
import { DataSource } from 'typeorm';
import { EventStorageService } from './event-storage.service';
import { isUnavailableError } from './postgres-event.store';

/**
 * Read access for queries, digests and dashboards: plain SQL on the service's
 * DataSource. A PostgreSQL outage answers 503 (the data is elsewhere, not
 * wrong); `sourceBackend` tells a response where its data came from.
 */
@Injectable()
export class ReadDbService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: EventStorageService,
  ) {}

  async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.dataSource.query(sql, params)) as R[];
    } catch (error) {
      const cause = (error as { driverError?: unknown }).driverError ?? error;
      if (isUnavailableError(cause))
        throw new DomainError('STORAGE_UNAVAILABLE', 'PostgreSQL is unavailable; queries resume when it is back', {
          retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS,
        });
      throw error;
    }
  }

  /**
   * `source_backend` is the backend taking writes now (issue 5: shown in
   * every dashboard). Queries read PostgreSQL (`read_from`); while the `auto`
   * backend spools, recent events are not there yet and `complete` is false.
   * With `AUDIT_BACKEND=jsonl` or `null` PostgreSQL holds none of the events:
   * `complete` is false and `note` says so plainly (the FinOps and privacy
   * dashboards read the JSONL files instead: see DigestsService).
   */
  sourceInfo(): { source_backend: string; read_from: 'postgres'; complete: boolean; note?: string } {
    const active = this.storage.active();
    if (this.storage.setting === 'jsonl' || this.storage.setting === 'null') {
      return {
        source_backend: active,
        read_from: 'postgres',
        complete: false,
        note:
          this.storage.setting === 'jsonl'
            ? 'AUDIT_BACKEND=jsonl stores events in JSONL files, not in PostgreSQL: this view reads PostgreSQL and cannot show them (the FinOps and privacy dashboards read the JSONL files)'
            : 'AUDIT_BACKEND=null discards events: there is nothing to show',
      };
    }
    return { source_backend: active, read_from: 'postgres', complete: active === 'postgres' && this.storage.spoolBytes === 0 };
  }
}
