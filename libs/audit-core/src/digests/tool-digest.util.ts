import { isRecognisedToolStatus, PAYLOAD_FIELD_NAMES, TOOL_EVENT_STATUSES } from '../schemas/tool-event.schema';
import { round6, toolCost, type CostModel } from './cost-model.util';

/**
 * The tool-governance digests (finops and privacy), framework-free, shared by
 * the gateway's `/v1/finops/dashboard` and `/v1/privacy/dashboard` and the
 * engine's `daily_cost_digest` / `daily_privacy_digest` actions, so both show
 * the same numbers. Each aggregation exists twice: as SQL over
 * `audit.tool_events` (PostgreSQL backends) and in memory over event records
 * (the JSONL backend); the in-memory versions follow the SQL exactly
 * (`percentile_cont` is linear interpolation, sums skip NULLs).
 */

/** Runs one SQL statement and returns its rows (`ReadDbService.query`, a `pg` pool wrapper, `DataSource.query`). */
export type DigestQuery = <R>(text: string, params?: unknown[]) => Promise<R[]>;

/** The time window (and optional workspace) a digest covers. */
export interface DigestWindow {
  readonly from: Date;
  readonly to: Date;
  /** Only this workspace's events; `null` for all. */
  readonly workspace: string | null;
  /**
   * Whether an event at exactly `to` is inside. The dashboards use `[from, to]`;
   * daily digests use `[from, to)` so that consecutive days never share an event.
   * @defaultValue true
   */
  readonly toInclusive?: boolean;
}

export type DigestDimension = 'tool' | 'agent_id' | 'workspace_id';

/** Aggregates of one group of tool calls (one tool, agent or workspace, or the total). */
export interface ToolDigestGroup {
  readonly dimension: DigestDimension | 'total';
  /** The tool, agent or workspace (null for the total, or for events without that field). */
  readonly key: string | null;
  readonly calls: number;
  readonly errors: number;
  readonly denied: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly duration_ms: number;
  readonly bytes_in: number;
  readonly bytes_out: number;
  /** Calls without `input_hash` (stored null; an emitter's `""` counts too). */
  readonly without_hash: number;
  /** Calls whose status is none of the recognised {@link TOOL_EVENT_STATUSES} (stored as sent: `succeeded`, `cancelled`…); counted in `calls`, not in `errors` or `denied`. */
  readonly unrecognised_status: number;
  /** On the total group: those statuses by name, most calls first (at most {@link DIGEST_LIST_LIMIT}); absent elsewhere. */
  readonly unrecognised_statuses?: readonly StatusCount[];
}

/** Calls of one status. */
export interface StatusCount {
  status: string;
  calls: number;
}

/** The columns of a tool event the digests read (a row of `audit.tool_events`, or a JSONL record). */
export interface DigestToolEvent {
  readonly event_id: string;
  /** ISO-8601 or Date. */
  readonly ts: string | Date;
  readonly tool: string;
  readonly agent_id?: string | null;
  readonly workspace_id?: string | null;
  readonly status?: string | null;
  readonly duration_ms?: number | null;
  readonly in_size?: number | null;
  readonly out_size?: number | null;
  readonly input_hash?: string | null;
}

export interface RepeatedInput {
  input_hash: string;
  calls: number;
  tools: string[];
  agents: number;
  workspaces: number;
  first_at: string;
  last_at: string;
}

export interface SizeOutlier {
  event_id: string;
  ts: string;
  tool: string;
  agent_id: string | null;
  workspace_id: string | null;
  in_size: number;
  out_size: number;
  tool_median_in: number;
  tool_median_out: number;
}

/** Outlier rule of the privacy digest: a call whose in_size or out_size is above this many times its tool's median. */
export const OUTLIER_FACTOR = 10;
/** Rows listed in `repeated_inputs` and `size_outliers`. */
export const DIGEST_LIST_LIMIT = 20;

const ERROR_STATUSES = ['error', 'timeout'];

/** SQL list of the recognised statuses (constants, not input). */
const RECOGNISED_SQL = TOOL_EVENT_STATUSES.map((status) => `'${status}'`).join(', ');
const UNRECOGNISED_FILTER = `count(*) FILTER (WHERE status NOT IN (${RECOGNISED_SQL})) AS unrecognised_status`;
const WITHOUT_HASH_FILTER = `count(*) FILTER (WHERE input_hash IS NULL OR input_hash = '') AS without_hash`;

function windowParams(w: DigestWindow): unknown[] {
  return [w.from, w.to, w.workspace, w.toInclusive ?? true];
}

/** `$1..$4` = from, to, workspace, to-inclusive: the index on `ts` still bounds the scan by `[from, to]`. */
const SCOPE = `ts >= $1 AND ts <= $2 AND ($4::boolean OR ts < $2) AND ($3::text IS NULL OR workspace_id = $3)`;

interface HistogramRow {
  g_tool: number | string;
  g_agent: number | string;
  g_workspace: number | string;
  tool: string | null;
  agent_id: string | null;
  workspace_id: string | null;
  duration_ms: number | string;
  calls: string;
  errors: string;
  denied: string;
  bytes_in: string;
  bytes_out: string;
  without_hash: string;
  unrecognised_status: string;
}

/**
 * `percentile_cont(p)` over a histogram: `values` ascending, `counts[i]`
 * occurrences of `values[i]`, `n` their sum. Same result as
 * {@link percentileCont} over the expanded values.
 */
export function percentileContOfHistogram(values: readonly number[], counts: readonly number[], n: number, p: number): number | null {
  if (n === 0) return null;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  let a: number | null = null;
  let b: number | null = null;
  for (let i = 0, seen = 0; i < values.length && b === null; i++) {
    seen += counts[i]!;
    if (a === null && lo < seen) a = values[i]!;
    if (hi < seen) b = values[i]!;
  }
  return a! + (b! - a!) * (pos - lo);
}

/**
 * Calls, errors, denials, p50/p95 duration, duration/bytes sums and events
 * without `input_hash` per tool, agent, workspace and in total, from one scan
 * of `audit.tool_events`: hash-aggregated per group *and duration value*
 * (a histogram: rows ≤ groups × distinct durations, however many events), so
 * no 10-million-row sort; the exact `percentile_cont` values and the sums are
 * then read off the histograms.
 */
export async function queryToolDigestGroups(query: DigestQuery, w: DigestWindow): Promise<ToolDigestGroup[]> {
  const rows = await query<HistogramRow>(
    `SELECT GROUPING(tool) AS g_tool, GROUPING(agent_id) AS g_agent, GROUPING(workspace_id) AS g_workspace,
            tool, agent_id, workspace_id, duration_ms,
            count(*) AS calls,
            count(*) FILTER (WHERE status IN ('error', 'timeout')) AS errors,
            count(*) FILTER (WHERE status = 'denied') AS denied,
            coalesce(sum(in_size), 0) AS bytes_in,
            coalesce(sum(out_size), 0) AS bytes_out,
            ${WITHOUT_HASH_FILTER},
            ${UNRECOGNISED_FILTER}
       FROM audit.tool_events
      WHERE ${SCOPE}
      GROUP BY GROUPING SETS ((tool, duration_ms), (agent_id, duration_ms), (workspace_id, duration_ms), (duration_ms))
      ORDER BY duration_ms`,
    windowParams(w),
  );
  interface Acc {
    dimension: ToolDigestGroup['dimension'];
    key: string | null;
    values: number[];
    counts: number[];
    calls: number;
    errors: number;
    denied: number;
    duration_ms: number;
    bytes_in: number;
    bytes_out: number;
    without_hash: number;
    unrecognised_status: number;
  }
  const groups = new Map<string, Acc>();
  for (const r of rows) {
    const dimension: ToolDigestGroup['dimension'] =
      Number(r.g_tool) === 0 ? 'tool' : Number(r.g_agent) === 0 ? 'agent_id' : Number(r.g_workspace) === 0 ? 'workspace_id' : 'total';
    const key = dimension === 'total' ? null : r[dimension];
    const id = `${dimension}\u0000${key ?? '\u0001'}`;
    let acc = groups.get(id);
    if (!acc) {
      acc = {
        dimension,
        key,
        values: [],
        counts: [],
        calls: 0,
        errors: 0,
        denied: 0,
        duration_ms: 0,
        bytes_in: 0,
        bytes_out: 0,
        without_hash: 0,
        unrecognised_status: 0,
      };
      groups.set(id, acc);
    }
    const calls = Number(r.calls);
    const duration = Number(r.duration_ms);
    // Rows arrive ordered by duration: each group's histogram is ascending as built.
    acc.values.push(duration);
    acc.counts.push(calls);
    acc.calls += calls;
    acc.errors += Number(r.errors);
    acc.denied += Number(r.denied);
    acc.duration_ms += duration * calls;
    acc.bytes_in += Number(r.bytes_in);
    acc.bytes_out += Number(r.bytes_out);
    acc.without_hash += Number(r.without_hash);
    acc.unrecognised_status += Number(r.unrecognised_status);
  }
  const out = [...groups.values()].map((a) => ({
    dimension: a.dimension,
    key: a.key,
    calls: a.calls,
    errors: a.errors,
    denied: a.denied,
    p50: percentileContOfHistogram(a.values, a.counts, a.calls, 0.5),
    p95: percentileContOfHistogram(a.values, a.counts, a.calls, 0.95),
    duration_ms: a.duration_ms,
    bytes_in: a.bytes_in,
    bytes_out: a.bytes_out,
    without_hash: a.without_hash,
    unrecognised_status: a.unrecognised_status,
  }));
  return withUnrecognisedStatuses(query, w, out);
}

/**
 * Unrecognised statuses by name, most calls first: only queried when the
 * window has some (the one-scan aggregates count them), so a fleet that sends
 * only the four recognised statuses pays nothing.
 */
export async function queryUnrecognisedStatuses(query: DigestQuery, w: DigestWindow): Promise<StatusCount[]> {
  const rows = await query<{ status: string; calls: string }>(
    `SELECT status, count(*) AS calls FROM audit.tool_events
      WHERE ${SCOPE} AND status NOT IN (${RECOGNISED_SQL})
      GROUP BY status ORDER BY count(*) DESC, status COLLATE "C" LIMIT ${DIGEST_LIST_LIMIT}`,
    windowParams(w),
  );
  return rows.map((r) => ({ status: r.status, calls: Number(r.calls) }));
}

/** Attaches {@link queryUnrecognisedStatuses} to the total group when the window has unrecognised statuses. */
async function withUnrecognisedStatuses(query: DigestQuery, w: DigestWindow, groups: ToolDigestGroup[]): Promise<ToolDigestGroup[]> {
  const total = groups.findIndex((g) => g.dimension === 'total');
  if (total < 0 || groups[total]!.unrecognised_status === 0) return groups;
  const statuses = await queryUnrecognisedStatuses(query, w);
  return groups.map((g, i) => (i === total ? { ...g, unrecognised_statuses: statuses } : g));
}

/**
 * {@link queryToolDigestGroups} without the duration percentiles (`p50`/`p95`
 * null): what the privacy digest needs. Without the per-duration histogram the
 * grouping sets hash-aggregate into a few rows.
 */
export async function queryToolVolumeGroups(query: DigestQuery, w: DigestWindow): Promise<ToolDigestGroup[]> {
  const rows = await query<Omit<HistogramRow, 'duration_ms'> & { duration_ms: string }>(
    `SELECT GROUPING(tool) AS g_tool, GROUPING(agent_id) AS g_agent, GROUPING(workspace_id) AS g_workspace,
            tool, agent_id, workspace_id,
            count(*) AS calls,
            count(*) FILTER (WHERE status IN ('error', 'timeout')) AS errors,
            count(*) FILTER (WHERE status = 'denied') AS denied,
            coalesce(sum(duration_ms), 0) AS duration_ms,
            coalesce(sum(in_size), 0) AS bytes_in,
            coalesce(sum(out_size), 0) AS bytes_out,
            ${WITHOUT_HASH_FILTER},
            ${UNRECOGNISED_FILTER}
       FROM audit.tool_events
      WHERE ${SCOPE}
      GROUP BY GROUPING SETS ((tool), (agent_id), (workspace_id), ())`,
    windowParams(w),
  );
  const groups = rows.map((r): ToolDigestGroup => {
    const dimension: ToolDigestGroup['dimension'] =
      Number(r.g_tool) === 0 ? 'tool' : Number(r.g_agent) === 0 ? 'agent_id' : Number(r.g_workspace) === 0 ? 'workspace_id' : 'total';
    return {
      dimension,
      key: dimension === 'total' ? null : r[dimension],
      calls: Number(r.calls),
      errors: Number(r.errors),
      denied: Number(r.denied),
      p50: null,
      p95: null,
      duration_ms: Number(r.duration_ms),
      bytes_in: Number(r.bytes_in),
      bytes_out: Number(r.bytes_out),
      without_hash: Number(r.without_hash),
      unrecognised_status: Number(r.unrecognised_status),
    };
  });
  return withUnrecognisedStatuses(query, w, groups);
}

/** Repeated `input_hash` values (the same input sent more than once), most repeated first. */
export async function queryRepeatedInputs(query: DigestQuery, w: DigestWindow): Promise<RepeatedInput[]> {
  const rows = await query<{ input_hash: string; calls: string; tools: string[]; agents: string; workspaces: string; first_at: Date; last_at: Date }>(
    // Two steps: a hash aggregate finds the most repeated hashes (no sort of every hash), then only
    // their events are read for the DISTINCT aggregates, which would otherwise sort the whole window.
    `WITH top AS (
       SELECT input_hash, count(*) AS calls FROM audit.tool_events WHERE ${SCOPE} AND input_hash IS NOT NULL AND input_hash <> ''
        GROUP BY input_hash HAVING count(*) > 1 ORDER BY count(*) DESC, input_hash LIMIT ${DIGEST_LIST_LIMIT}
     )
     SELECT e.input_hash, count(*) AS calls, array_agg(DISTINCT e.tool ORDER BY e.tool) AS tools, count(DISTINCT e.agent_id) AS agents,
            count(DISTINCT e.workspace_id) AS workspaces, min(e.ts) AS first_at, max(e.ts) AS last_at
       FROM (SELECT * FROM audit.tool_events WHERE ${SCOPE} AND input_hash IN (SELECT input_hash FROM top)) e
      GROUP BY e.input_hash ORDER BY count(*) DESC, e.input_hash`,
    windowParams(w),
  );
  return rows.map((r) => ({
    input_hash: r.input_hash,
    calls: Number(r.calls),
    tools: r.tools,
    agents: Number(r.agents),
    workspaces: Number(r.workspaces),
    first_at: new Date(r.first_at).toISOString(),
    last_at: new Date(r.last_at).toISOString(),
  }));
}

/** Calls whose in_size or out_size is above {@link OUTLIER_FACTOR}× their tool's median in the window. */
export async function querySizeOutliers(query: DigestQuery, w: DigestWindow): Promise<SizeOutlier[]> {
  const rows = await query<{
    event_id: string;
    ts: Date;
    tool: string;
    agent_id: string | null;
    workspace_id: string | null;
    in_size: number;
    out_size: number;
    tool_median_in: number;
    tool_median_out: number;
  }>(
    `WITH base AS (SELECT * FROM audit.tool_events WHERE ${SCOPE}),
          med AS (SELECT tool, percentile_cont(0.5) WITHIN GROUP (ORDER BY in_size) AS m_in, percentile_cont(0.5) WITHIN GROUP (ORDER BY out_size) AS m_out FROM base GROUP BY tool)
     SELECT b.event_id, b.ts, b.tool, b.agent_id, b.workspace_id, b.in_size, b.out_size, m.m_in AS tool_median_in, m.m_out AS tool_median_out
       FROM base b JOIN med m USING (tool)
      WHERE (m.m_in > 0 AND b.in_size > ${OUTLIER_FACTOR} * m.m_in) OR (m.m_out > 0 AND b.out_size > ${OUTLIER_FACTOR} * m.m_out)
      ORDER BY greatest(b.in_size, b.out_size) DESC, b.event_id LIMIT ${DIGEST_LIST_LIMIT}`,
    windowParams(w),
  );
  return rows.map((o) => ({
    event_id: o.event_id,
    ts: new Date(o.ts).toISOString(),
    tool: o.tool,
    agent_id: o.agent_id,
    workspace_id: o.workspace_id,
    in_size: Number(o.in_size),
    out_size: Number(o.out_size),
    tool_median_in: Number(o.tool_median_in),
    tool_median_out: Number(o.tool_median_out),
  }));
}

/** Lifecycle actions after which an engine is running (until its next start/wake/stop/destroy). */
export const ENGINE_RUNNING_ACTIONS = ['start', 'wake'] as const;

/**
 * Engine-hours in `[from, to]` grouped by product or user: an engine runs from
 * `start`/`wake` until its next `start`/`wake`/`stop`/`destroy` (or `to`).
 */
export async function queryEngineHours(
  query: DigestQuery,
  groupBy: 'product' | 'user',
  from: Date,
  to: Date,
): Promise<{ key: string | null; engine_hours: number; engines: number }[]> {
  const key = groupBy === 'product' ? 'product_id' : 'user_id';
  const rows = await query<{ key: string | null; engine_hours: string; engines: string }>(
    `WITH ev AS (
       SELECT engine_id, product_id, user_id, action, ts,
              lead(ts) OVER (PARTITION BY engine_id ORDER BY ts, event_id) AS next_ts
         FROM audit.lifecycle_events
        WHERE engine_id IS NOT NULL AND action IN ('start', 'wake', 'stop', 'destroy') AND ts < $2
     )
     SELECT ${key} AS key,
            sum(extract(epoch FROM least(coalesce(next_ts, $2), $2) - greatest(ts, $1))) / 3600.0 AS engine_hours,
            count(DISTINCT engine_id) AS engines
       FROM ev
      WHERE action = ANY($3::text[]) AND coalesce(next_ts, $2) > $1
      GROUP BY ${key}
      ORDER BY engine_hours DESC, key`,
    [from, to, ENGINE_RUNNING_ACTIONS],
  );
  return rows.map((r) => ({ key: r.key, engine_hours: round6(Number(r.engine_hours)), engines: Number(r.engines) }));
}

// ---------------------------------------------------------------------------
// In memory (JSONL backend): the same aggregates over event records.

const tsMs = (ts: string | Date): number => (ts instanceof Date ? ts.getTime() : Date.parse(ts));

/** Whether `e` is inside the window (the SQL `SCOPE`). */
export function inDigestWindow(e: DigestToolEvent, w: DigestWindow): boolean {
  const t = tsMs(e.ts);
  const to = w.to.getTime();
  if (!(t >= w.from.getTime() && ((w.toInclusive ?? true) ? t <= to : t < to))) return false;
  return w.workspace === null || e.workspace_id === w.workspace;
}

/** PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)`: linear interpolation, NULLs ignored; null for no values. */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** {@link queryToolDigestGroups} over records already filtered to the window. */
export function toolDigestGroupsFromEvents(events: readonly DigestToolEvent[]): ToolDigestGroup[] {
  interface Acc {
    calls: number;
    errors: number;
    denied: number;
    durations: number[];
    duration_ms: number;
    bytes_in: number;
    bytes_out: number;
    without_hash: number;
    unrecognised_status: number;
  }
  const fresh = (): Acc => ({
    calls: 0,
    errors: 0,
    denied: 0,
    durations: [],
    duration_ms: 0,
    bytes_in: 0,
    bytes_out: 0,
    without_hash: 0,
    unrecognised_status: 0,
  });
  const unrecognised = new Map<string, number>();
  const maps: Record<DigestDimension, Map<string | null, Acc>> = { tool: new Map(), agent_id: new Map(), workspace_id: new Map() };
  const total = fresh();
  const add = (a: Acc, e: DigestToolEvent): void => {
    a.calls += 1;
    if (e.status && ERROR_STATUSES.includes(e.status)) a.errors += 1;
    if (e.status === 'denied') a.denied += 1;
    if (isNum(e.duration_ms)) {
      a.durations.push(e.duration_ms);
      a.duration_ms += e.duration_ms;
    }
    if (isNum(e.in_size)) a.bytes_in += e.in_size;
    if (isNum(e.out_size)) a.bytes_out += e.out_size;
    if (e.input_hash === null || e.input_hash === undefined || e.input_hash === '') a.without_hash += 1;
    // A record without a status cannot be a recognised one either (SQL: NOT NULL column).
    if (!isRecognisedToolStatus(e.status ?? '')) a.unrecognised_status += 1;
  };
  for (const e of events) {
    add(total, e);
    if (!isRecognisedToolStatus(e.status ?? '')) unrecognised.set(e.status ?? '', (unrecognised.get(e.status ?? '') ?? 0) + 1);
    for (const dim of ['tool', 'agent_id', 'workspace_id'] as const) {
      const key = (e[dim] ?? null) as string | null;
      let acc = maps[dim].get(key);
      if (!acc) maps[dim].set(key, (acc = fresh()));
      add(acc, e);
    }
  }
  const out = (dimension: ToolDigestGroup['dimension'], key: string | null, a: Acc): ToolDigestGroup => {
    const sorted = a.durations.sort((x, y) => x - y);
    return {
      dimension,
      key,
      calls: a.calls,
      errors: a.errors,
      denied: a.denied,
      p50: percentileCont(sorted, 0.5),
      p95: percentileCont(sorted, 0.95),
      duration_ms: a.duration_ms,
      bytes_in: a.bytes_in,
      bytes_out: a.bytes_out,
      without_hash: a.without_hash,
      unrecognised_status: a.unrecognised_status,
    };
  };
  const statuses = [...unrecognised.entries()]
    .map(([status, calls]) => ({ status, calls }))
    .sort((a, b) => b.calls - a.calls || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0))
    .slice(0, DIGEST_LIST_LIMIT);
  const totalGroup = out('total', null, total);
  const groups: ToolDigestGroup[] = [total.unrecognised_status > 0 ? { ...totalGroup, unrecognised_statuses: statuses } : totalGroup];
  for (const dim of ['tool', 'agent_id', 'workspace_id'] as const) for (const [key, a] of maps[dim]) groups.push(out(dim, key, a));
  return groups;
}

/** {@link queryRepeatedInputs} over records already filtered to the window. */
export function repeatedInputsFromEvents(events: readonly DigestToolEvent[]): RepeatedInput[] {
  const by = new Map<string, { calls: number; tools: Set<string>; agents: Set<string>; workspaces: Set<string>; first: number; last: number }>();
  for (const e of events) {
    if (!e.input_hash) continue;
    const t = tsMs(e.ts);
    let a = by.get(e.input_hash);
    if (!a) by.set(e.input_hash, (a = { calls: 0, tools: new Set(), agents: new Set(), workspaces: new Set(), first: t, last: t }));
    a.calls += 1;
    a.tools.add(e.tool);
    // count(DISTINCT x) ignores NULLs.
    if (e.agent_id) a.agents.add(e.agent_id);
    if (e.workspace_id) a.workspaces.add(e.workspace_id);
    a.first = Math.min(a.first, t);
    a.last = Math.max(a.last, t);
  }
  return [...by.entries()]
    .filter(([, a]) => a.calls > 1)
    .sort(([ha, a], [hb, b]) => b.calls - a.calls || (ha < hb ? -1 : ha > hb ? 1 : 0))
    .slice(0, DIGEST_LIST_LIMIT)
    .map(([input_hash, a]) => ({
      input_hash,
      calls: a.calls,
      tools: [...a.tools].sort(),
      agents: a.agents.size,
      workspaces: a.workspaces.size,
      first_at: new Date(a.first).toISOString(),
      last_at: new Date(a.last).toISOString(),
    }));
}

/** {@link querySizeOutliers} over records already filtered to the window. */
export function sizeOutliersFromEvents(events: readonly DigestToolEvent[]): SizeOutlier[] {
  const sizes = new Map<string, { ins: number[]; outs: number[] }>();
  for (const e of events) {
    let s = sizes.get(e.tool);
    if (!s) sizes.set(e.tool, (s = { ins: [], outs: [] }));
    if (isNum(e.in_size)) s.ins.push(e.in_size);
    if (isNum(e.out_size)) s.outs.push(e.out_size);
  }
  const medians = new Map<string, { m_in: number | null; m_out: number | null }>();
  for (const [tool, s] of sizes) {
    medians.set(tool, {
      m_in: percentileCont(
        s.ins.sort((a, b) => a - b),
        0.5,
      ),
      m_out: percentileCont(
        s.outs.sort((a, b) => a - b),
        0.5,
      ),
    });
  }
  const out: SizeOutlier[] = [];
  for (const e of events) {
    const m = medians.get(e.tool)!;
    const inSize = e.in_size ?? 0;
    const outSize = e.out_size ?? 0;
    const big = (m.m_in !== null && m.m_in > 0 && inSize > OUTLIER_FACTOR * m.m_in) || (m.m_out !== null && m.m_out > 0 && outSize > OUTLIER_FACTOR * m.m_out);
    if (!big) continue;
    out.push({
      event_id: e.event_id,
      ts: new Date(tsMs(e.ts)).toISOString(),
      tool: e.tool,
      agent_id: e.agent_id ?? null,
      workspace_id: e.workspace_id ?? null,
      in_size: inSize,
      out_size: outSize,
      tool_median_in: m.m_in ?? 0,
      tool_median_out: m.m_out ?? 0,
    });
  }
  return out
    .sort((a, b) => Math.max(b.in_size, b.out_size) - Math.max(a.in_size, a.out_size) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0))
    .slice(0, DIGEST_LIST_LIMIT);
}

// ---------------------------------------------------------------------------
// Shaping: the same report objects whatever the source.

/** One finops entry (a tool, agent, workspace or the total). */
export function finopsEntry(
  g: Pick<ToolDigestGroup, 'calls' | 'errors' | 'denied' | 'p50' | 'p95' | 'duration_ms' | 'bytes_in' | 'bytes_out'> &
    Partial<Pick<ToolDigestGroup, 'unrecognised_status'>>,
  model: CostModel,
): Record<string, unknown> {
  return {
    calls: g.calls,
    errors: g.errors,
    denied: g.denied,
    unrecognised_status: g.unrecognised_status ?? 0,
    error_rate: g.calls > 0 ? round6(g.errors / g.calls) : 0,
    p50_duration_ms: g.p50 === null ? null : round6(g.p50),
    p95_duration_ms: g.p95 === null ? null : round6(g.p95),
    duration_ms_total: g.duration_ms,
    bytes_in: g.bytes_in,
    bytes_out: g.bytes_out,
    cost: toolCost(model, { calls: g.calls, durationMs: g.duration_ms, bytesIn: g.bytes_in, bytesOut: g.bytes_out }),
  };
}

const EMPTY_GROUP = { calls: 0, errors: 0, denied: 0, p50: null, p95: null, duration_ms: 0, bytes_in: 0, bytes_out: 0, unrecognised_status: 0 };

/**
 * The finops body (totals, per tool / agent / workspace sorted by cost) from
 * the groups; `engineHours` (fleet-wide) is added to the totals when given.
 */
export function finopsReport(groups: readonly ToolDigestGroup[], model: CostModel, engineHours: number | null): Record<string, unknown> {
  const by: Record<DigestDimension, Record<string, unknown>[]> = { tool: [], agent_id: [], workspace_id: [] };
  let total = finopsEntry(EMPTY_GROUP, model);
  let unrecognisedStatuses: readonly StatusCount[] = [];
  for (const g of groups) {
    if (g.dimension === 'total') {
      total = finopsEntry(g, model);
      unrecognisedStatuses = g.unrecognised_statuses ?? [];
    } else if (g.calls > 0) by[g.dimension].push({ [g.dimension]: g.key, ...finopsEntry(g, model) });
  }
  const sortByCost = (a: Record<string, unknown>, b: Record<string, unknown>): number => (b['cost'] as number) - (a['cost'] as number);
  const engine =
    engineHours === null ? null : { engine_hours: round6(engineHours), engine_cost: round6(round6(engineHours) * model.cost_weights.per_engine_hour) };
  return {
    currency: model.currency,
    cost_weights: model.cost_weights,
    totals: { ...total, ...(engine ? { ...engine, total_cost: round6((total['cost'] as number) + engine.engine_cost) } : {}) },
    by_tool: by.tool.sort(sortByCost),
    by_agent: by.agent_id.sort(sortByCost),
    by_workspace: by.workspace_id.sort(sortByCost),
    unrecognised_statuses: unrecognisedStatuses,
  };
}

/** The privacy body from the groups, repeated inputs and outliers; `payloadColumns` are payload-like columns found in the table (none expected). */
export function privacyReport(
  groups: readonly ToolDigestGroup[],
  repeated: readonly RepeatedInput[],
  outliers: readonly SizeOutlier[],
  payloadColumns: readonly string[],
  guarantee: string,
): Record<string, unknown> {
  const volume = (dim: DigestDimension): Record<string, unknown>[] =>
    groups
      .filter((g) => g.dimension === dim && g.calls > 0)
      .map((g) => ({
        [dim]: g.key,
        calls: g.calls,
        bytes_in: g.bytes_in,
        bytes_out: g.bytes_out,
        bytes_total: g.bytes_in + g.bytes_out,
        without_hash: g.without_hash,
      }))
      .sort((a, b) => (b['bytes_total'] as number) - (a['bytes_total'] as number));
  const total = groups.find((g) => g.dimension === 'total');
  const byTool = volume('tool');
  return {
    totals: {
      calls: total?.calls ?? 0,
      bytes_in: total?.bytes_in ?? 0,
      bytes_out: total?.bytes_out ?? 0,
      without_hash: total?.without_hash ?? 0,
      unrecognised_status: total?.unrecognised_status ?? 0,
    },
    volume_by_tool: byTool,
    volume_by_workspace: volume('workspace_id'),
    repeated_inputs: repeated,
    size_outliers: { rule: `in_size or out_size above ${OUTLIER_FACTOR}× the tool's median in the window`, events: outliers },
    events_without_hash: byTool
      .filter((t) => (t['without_hash'] as number) > 0)
      .map((t) => ({ tool: t['tool'], events: t['without_hash'], calls: t['calls'] })),
    payloads_stored: false,
    payload_guarantee: {
      payload_columns_in_table: payloadColumns,
      how: [
        'the ingest schema (audit-core ToolEventSchema) is strict: payload-like fields (input, output, payload, args, result, prompt, …) are rejected with 400, never stored',
        'every string column is identifier-like (no spaces, bounded length), so free text cannot be smuggled into an id',
        guarantee,
        'only sizes (in_size, out_size) and a SHA-256 input_hash are kept',
      ],
    },
  };
}

/** Payload-like columns of `audit.tool_events` (checked live; none expected). */
export async function queryPayloadColumns(query: DigestQuery): Promise<string[]> {
  const columns = await query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'audit' AND table_name = 'tool_events'`,
  );
  return columns.map((c) => c.column_name).filter((c) => (PAYLOAD_FIELD_NAMES as readonly string[]).includes(c));
}

/**
 * The finops digest over PostgreSQL: one scan for the tool aggregates, one
 * for engine-hours (fleet-wide: only when `w.workspace` is null). This is
 * what `/v1/finops/dashboard` and `daily_cost_digest` return (bench entry point).
 */
export async function finopsDigest(query: DigestQuery, w: DigestWindow, model: CostModel): Promise<Record<string, unknown>> {
  const groups = await queryToolDigestGroups(query, w);
  let engineHours: number | null = null;
  if (w.workspace === null) engineHours = (await queryEngineHours(query, 'product', w.from, w.to)).reduce((s, r) => s + r.engine_hours, 0);
  return finopsReport(groups, model, engineHours);
}

/** The privacy digest over PostgreSQL: what `/v1/privacy/dashboard` and `daily_privacy_digest` return. */
export async function privacyDigest(query: DigestQuery, w: DigestWindow): Promise<Record<string, unknown>> {
  const groups = await queryToolVolumeGroups(query, w);
  const repeated = await queryRepeatedInputs(query, w);
  const outliers = await querySizeOutliers(query, w);
  const payloadColumns = await queryPayloadColumns(query);
  return privacyReport(groups, repeated, outliers, payloadColumns, 'audit.tool_events has no payload column (checked live: payload_columns_in_table)');
}

/** The finops digest over event records (JSONL backend); engine-hours are not derivable from one day's files and are left out. */
export function finopsDigestFromEvents(events: readonly DigestToolEvent[], w: DigestWindow, model: CostModel): Record<string, unknown> {
  return finopsReport(toolDigestGroupsFromEvents(events.filter((e) => inDigestWindow(e, w))), model, null);
}

/** The privacy digest over event records (JSONL backend). */
export function privacyDigestFromEvents(events: readonly DigestToolEvent[], w: DigestWindow): Record<string, unknown> {
  const inside = events.filter((e) => inDigestWindow(e, w));
  const payloadKeys = new Set<string>();
  for (const e of inside) for (const k of Object.keys(e)) if ((PAYLOAD_FIELD_NAMES as readonly string[]).includes(k)) payloadKeys.add(k);
  return privacyReport(
    toolDigestGroupsFromEvents(inside),
    repeatedInputsFromEvents(inside),
    sizeOutliersFromEvents(inside),
    [...payloadKeys].sort(),
    'the JSONL records carry no payload field (checked on every record: payload_columns_in_table)',
  );
}
