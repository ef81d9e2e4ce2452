import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_ROUTES, type RouteResult } from '@auditstack/audit-core';
import {
  finopsDigestFromEvents,
  finopsReport,
  privacyDigest,
  privacyDigestFromEvents,
  queryEngineHours,
  queryToolDigestGroups,
  type CostModel,
  type DigestQuery,
  type DigestToolEvent,
  type DigestWindow,
} from '@auditstack/audit-core/server';
import { EventStorageService } from '../storage/event-storage.service';
import { ReadDbService } from '../storage/read-db.service';
import { COST_MODEL } from './digests.tokens';

type FinopsDashboard = RouteResult<typeof GATEWAY_ROUTES.finopsDashboard>;
type PrivacyDashboard = RouteResult<typeof GATEWAY_ROUTES.privacyDashboard>;

/**
 * The shared digest builders (audit-core `tool-digest.util`, also used by the
 * engine) return untyped records; the route contract is their type, and the
 * ContractInterceptor checks every answer against it (a mismatch is a logged 500).
 */
function asContract<T>(report: Record<string, unknown>): T {
  return report as T;
}

/**
 * The finops and privacy dashboards over `audit.tool_events`, always confined
 * to the caller's workspace when it has one. The aggregation (SQL and
 * shaping) lives in `@auditstack/audit-core/server` (`tool-digest.util`), shared
 * with the engine's daily digests so both show the same numbers.
 */
@Injectable()
export class DigestsService {
  private readonly query: DigestQuery;

  constructor(
    private readonly db: ReadDbService,
    @Inject(COST_MODEL) private readonly model: CostModel,
    private readonly storage: EventStorageService,
  ) {
    this.query = <R>(text: string, params?: unknown[]) => this.db.query<R>(text, params);
  }

  private static window(windowHours: number, workspace: string | null, now: Date): DigestWindow {
    return { from: new Date(now.getTime() - windowHours * 3_600_000), to: now, workspace };
  }

  /**
   * With `AUDIT_BACKEND=jsonl`: the window's tool events from the JSONL files
   * (what that backend stores) and the source facts to show with them; null
   * for the other backends (PostgreSQL is read).
   */
  private async fromJsonl(w: DigestWindow): Promise<{ events: DigestToolEvent[]; source: Record<string, unknown> } | null> {
    const read = await this.storage.jsonlToolEvents(w.from, w.to);
    if (!read) return null;
    return {
      events: read.records as unknown as DigestToolEvent[],
      source: {
        source_backend: 'jsonl',
        read_from: 'jsonl',
        complete: read.skippedLines === 0,
        jsonl_files: read.files,
        jsonl_lines_skipped: read.skippedLines,
      },
    };
  }

  /** Calls, errors, p50/p95 duration, bytes and cost per tool, agent and workspace over the last `windowHours`. */
  async finops(windowHours: number, workspace: string | null, now = new Date()): Promise<FinopsDashboard> {
    const w = DigestsService.window(windowHours, workspace, now);
    const jsonl = await this.fromJsonl(w);
    if (jsonl) {
      // Engine-hours come from lifecycle events, which this view does not read from the files: left out (null).
      return asContract<FinopsDashboard>({
        window_hours: windowHours,
        from: w.from,
        to: now,
        workspace_scope: workspace,
        ...finopsDigestFromEvents(jsonl.events, w, this.model),
        ...jsonl.source,
      });
    }
    const groups = await queryToolDigestGroups(this.query, w);
    // Engine-hours are fleet-wide (not per workspace): shown to unscoped callers only.
    const engineHours = workspace === null ? (await queryEngineHours(this.query, 'product', w.from, w.to)).reduce((s, r) => s + r.engine_hours, 0) : null;
    const report = finopsReport(groups, this.model, engineHours);
    return asContract<FinopsDashboard>({ window_hours: windowHours, from: w.from, to: now, workspace_scope: workspace, ...report, ...this.db.sourceInfo() });
  }

  /** Data volume, repeated inputs, size outliers, events without hash, and the no-payload guarantee. */
  async privacy(windowHours: number, workspace: string | null, now = new Date()): Promise<PrivacyDashboard> {
    const w = DigestsService.window(windowHours, workspace, now);
    const jsonl = await this.fromJsonl(w);
    if (jsonl) {
      return asContract<PrivacyDashboard>({
        window_hours: windowHours,
        from: w.from,
        to: now,
        workspace_scope: workspace,
        ...privacyDigestFromEvents(jsonl.events, w),
        ...jsonl.source,
      });
    }
    const report = await privacyDigest(this.query, w);
    return asContract<PrivacyDashboard>({ window_hours: windowHours, from: w.from, to: now, workspace_scope: workspace, ...report, ...this.db.sourceInfo() });
  }
}
