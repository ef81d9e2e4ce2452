import { Inject, Injectable } from '@nestjs/common';
import { PAYLOAD_FIELD_NAMES } from '@auditstack/audit-core';
import { LifecycleQueryService } from '../lifecycle/lifecycle-query.service';
import { ReadDbService } from '../storage/read-db.service';
import { COST_MODEL } from './digests.tokens';
import { round6, toolCost, type CostModel } from './cost-model.util';

type Dimension = 'tool' | 'agent_id' | 'workspace_id';

interface GroupRow {
  g_tool: number;
  g_agent: number;
  g_workspace: number;
  tool: string | null;
  agent_id: string | null;
  workspace_id: string | null;
  calls: string;
  errors: string;
  denied: string;
  p50: number | null;
  p95: number | null;
  duration_ms: string;
  bytes_in: string;
  bytes_out: string;
  without_hash: string;
}

/** Outlier rule of the privacy dashboard: a call whose in_size or out_size is above this many times its tool's median. */
export const OUTLIER_FACTOR = 10;

/**
 * The finops and privacy dashboards over `audit.tool_events` (one scan with
 * GROUPING SETS per dashboard), always confined to the caller's workspace
 * when it has one.
 */
@Injectable()
export class DigestsService {
  constructor(
    private readonly db: ReadDbService,
    private readonly lifecycle: LifecycleQueryService,
    @Inject(COST_MODEL) private readonly model: CostModel,
  ) {}

  private async groups(windowStart: Date, windowEnd: Date, workspace: string | null): Promise<GroupRow[]> {
    return this.db.query<GroupRow>(
      `SELECT GROUPING(tool) AS g_tool, GROUPING(agent_id) AS g_agent, GROUPING(workspace_id) AS g_workspace,
              tool, agent_id, workspace_id,
              count(*) AS calls,
              count(*) FILTER (WHERE status IN ('error', 'timeout')) AS errors,
              count(*) FILTER (WHERE status = 'denied') AS denied,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
              coalesce(sum(duration_ms), 0) AS duration_ms,
              coalesce(sum(in_size), 0) AS bytes_in,
              coalesce(sum(out_size), 0) AS bytes_out,
              count(*) FILTER (WHERE input_hash IS NULL) AS without_hash
         FROM audit.tool_events
        WHERE ts >= $1 AND ts <= $2 AND ($3::text IS NULL OR workspace_id = $3)
        GROUP BY GROUPING SETS ((tool), (agent_id), (workspace_id), ())`,
      [windowStart, windowEnd, workspace],
    );
  }

  private static dimensionOf(r: GroupRow): Dimension | 'total' {
    if (Number(r.g_tool) === 0) return 'tool';
    if (Number(r.g_agent) === 0) return 'agent_id';
    if (Number(r.g_workspace) === 0) return 'workspace_id';
    return 'total';
  }

  private finopsEntry(r: GroupRow): Record<string, unknown> {
    const usage = { calls: Number(r.calls), durationMs: Number(r.duration_ms), bytesIn: Number(r.bytes_in), bytesOut: Number(r.bytes_out) };
    return {
      calls: usage.calls,
      errors: Number(r.errors),
      denied: Number(r.denied),
      error_rate: usage.calls > 0 ? round6(Number(r.errors) / usage.calls) : 0,
      p50_duration_ms: r.p50 === null ? null : round6(Number(r.p50)),
      p95_duration_ms: r.p95 === null ? null : round6(Number(r.p95)),
      duration_ms_total: usage.durationMs,
      bytes_in: usage.bytesIn,
      bytes_out: usage.bytesOut,
      cost: toolCost(this.model, usage),
    };
  }

  /** Calls, errors, p50/p95 duration, bytes and cost per tool, agent and workspace over the last `windowHours`. */
  async finops(windowHours: number, workspace: string | null, now = new Date()): Promise<Record<string, unknown>> {
    const start = new Date(now.getTime() - windowHours * 3_600_000);
    const rows = await this.groups(start, now, workspace);
    const by: Record<Dimension, Record<string, unknown>[]> = { tool: [], agent_id: [], workspace_id: [] };
    let total: Record<string, unknown> = this.finopsEntry({ calls: '0', errors: '0', denied: '0', p50: null, p95: null, duration_ms: '0', bytes_in: '0', bytes_out: '0' } as GroupRow);
    for (const r of rows) {
      const dim = DigestsService.dimensionOf(r);
      if (dim === 'total') total = this.finopsEntry(r);
      else if (Number(r.calls) > 0) by[dim].push({ [dim]: r[dim], ...this.finopsEntry(r) });
    }
    const sortByCost = (a: Record<string, unknown>, b: Record<string, unknown>): number => (b['cost'] as number) - (a['cost'] as number);
    // Engine-hours are fleet-wide (not per workspace): shown to unscoped callers only.
    let engine: Record<string, unknown> | null = null;
    if (workspace === null) {
      const hours = (await this.lifecycle.engineHours('product', start, now))['rows'] as { engine_hours: number }[];
      const engineHours = round6(hours.reduce((s, r) => s + r.engine_hours, 0));
      engine = { engine_hours: engineHours, cost: round6(engineHours * this.model.cost_weights.per_engine_hour) };
    }
    return {
      window_hours: windowHours,
      from: start.toISOString(),
      to: now.toISOString(),
      workspace_scope: workspace,
      currency: this.model.currency,
      cost_weights: this.model.cost_weights,
      totals: { ...total, ...(engine ? { engine_hours: engine['engine_hours'], engine_cost: engine['cost'], total_cost: round6((total['cost'] as number) + (engine['cost'] as number)) } : {}) },
      by_tool: by.tool.sort(sortByCost),
      by_agent: by.agent_id.sort(sortByCost),
      by_workspace: by.workspace_id.sort(sortByCost),
      ...this.db.sourceInfo(),
    };
  }

  /** Data volume, repeated inputs, size outliers, events without hash, and the no-payload guarantee. */
  async privacy(windowHours: number, workspace: string | null, now = new Date()): Promise<Record<string, unknown>> {
    const start = new Date(now.getTime() - windowHours * 3_600_000);
    const params = [start, now, workspace];
    const scope = `ts >= $1 AND ts <= $2 AND ($3::text IS NULL OR workspace_id = $3)`;
    const rows = await this.groups(start, now, workspace);
    const volume = (dim: Dimension): Record<string, unknown>[] =>
      rows
        .filter((r) => DigestsService.dimensionOf(r) === dim && Number(r.calls) > 0)
        .map((r) => ({ [dim]: r[dim], calls: Number(r.calls), bytes_in: Number(r.bytes_in), bytes_out: Number(r.bytes_out), bytes_total: Number(r.bytes_in) + Number(r.bytes_out), without_hash: Number(r.without_hash) }))
        .sort((a, b) => (b['bytes_total'] as number) - (a['bytes_total'] as number));
    const totalRow = rows.find((r) => DigestsService.dimensionOf(r) === 'total');
    const repeated = await this.db.query<{ input_hash: string; calls: string; tools: string[]; agents: string; workspaces: string; first_at: Date; last_at: Date }>(
      `SELECT input_hash, count(*) AS calls, array_agg(DISTINCT tool ORDER BY tool) AS tools, count(DISTINCT agent_id) AS agents,
              count(DISTINCT workspace_id) AS workspaces, min(ts) AS first_at, max(ts) AS last_at
         FROM audit.tool_events WHERE ${scope} AND input_hash IS NOT NULL
        GROUP BY input_hash HAVING count(*) > 1 ORDER BY count(*) DESC, input_hash LIMIT 20`,
      params,
    );
    const outliers = await this.db.query<{ event_id: string; ts: Date; tool: string; agent_id: string | null; workspace_id: string | null; in_size: number; out_size: number; tool_median_in: number; tool_median_out: number }>(
      `WITH base AS (SELECT * FROM audit.tool_events WHERE ${scope}),
            med AS (SELECT tool, percentile_cont(0.5) WITHIN GROUP (ORDER BY in_size) AS m_in, percentile_cont(0.5) WITHIN GROUP (ORDER BY out_size) AS m_out FROM base GROUP BY tool)
       SELECT b.event_id, b.ts, b.tool, b.agent_id, b.workspace_id, b.in_size, b.out_size, m.m_in AS tool_median_in, m.m_out AS tool_median_out
         FROM base b JOIN med m USING (tool)
        WHERE (m.m_in > 0 AND b.in_size > ${OUTLIER_FACTOR} * m.m_in) OR (m.m_out > 0 AND b.out_size > ${OUTLIER_FACTOR} * m.m_out)
        ORDER BY greatest(b.in_size, b.out_size) DESC, b.event_id LIMIT 20`,
      params,
    );
    const columns = await this.db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'audit' AND table_name = 'tool_events'`,
    );
    const payloadColumns = columns.map((c) => c.column_name).filter((c) => (PAYLOAD_FIELD_NAMES as readonly string[]).includes(c));
    return {
      window_hours: windowHours,
      from: start.toISOString(),
      to: now.toISOString(),
      workspace_scope: workspace,
      totals: {
        calls: Number(totalRow?.calls ?? 0),
        bytes_in: Number(totalRow?.bytes_in ?? 0),
        bytes_out: Number(totalRow?.bytes_out ?? 0),
        without_hash: Number(totalRow?.without_hash ?? 0),
      },
      volume_by_tool: volume('tool'),
      volume_by_workspace: volume('workspace_id'),
      repeated_inputs: repeated.map((r) => ({
        input_hash: r.input_hash,
        calls: Number(r.calls),
        tools: r.tools,
        agents: Number(r.agents),
        workspaces: Number(r.workspaces),
        first_at: r.first_at.toISOString(),
        last_at: r.last_at.toISOString(),
      })),
      size_outliers: {
        rule: `in_size or out_size above ${OUTLIER_FACTOR}× the tool's median in the window`,
        events: outliers.map((o) => ({ ...o, ts: o.ts.toISOString(), tool_median_in: Number(o.tool_median_in), tool_median_out: Number(o.tool_median_out) })),
      },
      events_without_hash: volume('tool')
        .filter((t) => (t['without_hash'] as number) > 0)
        .map((t) => ({ tool: t['tool'], events: t['without_hash'], calls: t['calls'] })),
      payloads_stored: false,
      payload_guarantee: {
        payload_columns_in_table: payloadColumns,
        how: [
          'the ingest schema (audit-core ToolEventSchema) is strict: payload-like fields (input, output, payload, args, result, prompt, …) are rejected with 400, never stored',
          'every string column is identifier-like (no spaces, bounded length), so free text cannot be smuggled into an id',
          'audit.tool_events has no payload column (checked live: payload_columns_in_table)',
          'only sizes (in_size, out_size) and a SHA-256 input_hash are kept',
        ],
      },
      ...this.db.sourceInfo(),
    };
  }
}
