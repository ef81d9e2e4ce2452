import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ACTION_TYPES, type Check, type CheckRule } from '@auditstack/audit-core';
import {
  decideToolCall,
  queryToolDigestGroups,
  round6,
  toolCost,
  toolDigestGroupsFromEvents,
  inDigestWindow,
  type CostModel,
  type DigestToolEvent,
  type DigestWindow,
  type RbacPolicy,
  type ToolDigestGroup,
} from '@auditstack/audit-core/server';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine.config';
import { ENGINE_PG } from '../../database/engine-pg.util';
import { DigestSourceSchema, poolQuery, resolveSource } from '../../operations/digest-source.util';
import { readToolRecords, utcDay } from '../../operations/jsonl-files.util';
import { operationsSettings, readCostModel, readRbac, type OperationsSettings } from '../../operations/operations-settings.util';
import { isoWeek, isoWeekLabel, mdTable, writeReport } from '../../operations/report-files.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

export const WeeklyDriftConfigSchema = z
  .object({
    /** Which ISO week: 1 = the week that just closed (run on Monday). @defaultValue 1 */
    week_offset: z.number().int().min(0).max(520).default(1),
    /** Weeks before the reported one that define "already known" tools and agents. @defaultValue 4 */
    lookback_weeks: z.number().int().min(1).max(52).default(4),
    /** Report a tool whose cost changed by more than this fraction week over week (0.5 = 50 %). @defaultValue 0.5 */
    cost_change_threshold: z.number().min(0).max(100).default(0.5),
    /** Where the events are read. @defaultValue 'auto' */
    source: DigestSourceSchema,
  })
  .strict();
export type WeeklyDriftConfig = z.infer<typeof WeeklyDriftConfigSchema>;

const RULE: CheckRule = {
  id: 'drift',
  description:
    'Tool use matches the RBAC / rollout policy (RBAC_FILE): every used tool is listed, every agent stays within its grants; new tools/agents and cost swings are reported.',
  reference: 'docs/operations.md §5 (RBAC file), §9',
};

/** Calls of one (agent, workspace, tool, action) in a week. */
export interface UsageRow {
  tool: string;
  agent_id: string | null;
  workspace_id: string | null;
  action: string | null;
  calls: number;
  /** Calls the router already refused (status `denied`): not counted as out-of-entitlement use. */
  denied: number;
}

export interface DriftReport {
  unlisted_tools: { tool: string; calls: number; agents: string[] }[];
  out_of_entitlement: { agent_id: string | null; workspace_id: string | null; tool: string; action: string | null; calls: number; reason: string }[];
  new_tools: { tool: string; calls: number }[];
  new_agents: { agent_id: string; calls: number }[];
  cost_changes: { tool: string; previous_cost: number; cost: number; change: number }[];
}

/** The tools any agent grant or rollout rule names. */
function listedTools(policy: RbacPolicy | null): Set<string> {
  const out = new Set<string>();
  if (!policy) return out;
  for (const agent of Object.values(policy.agents)) for (const tool of Object.keys(agent.tools)) out.add(tool);
  for (const tool of Object.keys(policy.rollout)) out.add(tool);
  return out;
}

function toolCosts(groups: readonly ToolDigestGroup[], model: CostModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups)
    if (g.dimension === 'tool' && g.key !== null)
      out.set(g.key, toolCost(model, { calls: g.calls, durationMs: g.duration_ms, bytesIn: g.bytes_in, bytesOut: g.bytes_out }));
  return out;
}

/** The drift findings from a week's usage, the tools/agents seen before it, and tool costs of both weeks. Pure: unit-testable. */
export function computeDrift(
  usage: readonly UsageRow[],
  known: { tools: ReadonlySet<string>; agents: ReadonlySet<string> },
  costs: { current: ReadonlyMap<string, number>; previous: ReadonlyMap<string, number> },
  policy: RbacPolicy | null,
  threshold: number,
): DriftReport {
  const listed = listedTools(policy);
  const byTool = new Map<string, { calls: number; agents: Set<string> }>();
  const byAgent = new Map<string, number>();
  const out: DriftReport['out_of_entitlement'] = [];
  for (const u of usage) {
    const t = byTool.get(u.tool) ?? { calls: 0, agents: new Set<string>() };
    t.calls += u.calls;
    if (u.agent_id) t.agents.add(u.agent_id);
    byTool.set(u.tool, t);
    if (u.agent_id) byAgent.set(u.agent_id, (byAgent.get(u.agent_id) ?? 0) + u.calls);
    const used = u.calls - u.denied;
    if (used <= 0 || !u.agent_id) continue;
    const decision = policy
      ? decideToolCall(policy, { agent_id: u.agent_id, workspace_id: u.workspace_id ?? '', tool: u.tool, action: u.action ?? '' })
      : { decision: 'deny' as const, reason: 'RBAC_FILE is unset: no agent is entitled to any tool' };
    if (decision.decision === 'deny')
      out.push({ agent_id: u.agent_id, workspace_id: u.workspace_id, tool: u.tool, action: u.action, calls: used, reason: decision.reason });
  }
  const changes: DriftReport['cost_changes'] = [];
  for (const [tool, cost] of costs.current) {
    const previous = costs.previous.get(tool);
    if (previous === undefined || previous <= 0) continue;
    const change = (cost - previous) / previous;
    if (Math.abs(change) > threshold) changes.push({ tool, previous_cost: previous, cost, change: round6(change) });
  }
  // A tool not used at all this week changed by −100 %.
  for (const [tool, previous] of costs.previous) {
    if (!costs.current.has(tool) && previous > 0 && threshold < 1) changes.push({ tool, previous_cost: previous, cost: 0, change: -1 });
  }
  const byName =
    <T extends Record<string, unknown>>(k: keyof T) =>
    (a: T, b: T): number =>
      String(a[k]).localeCompare(String(b[k]));
  return {
    unlisted_tools: [...byTool.entries()]
      .filter(([tool]) => !listed.has(tool))
      .map(([tool, t]) => ({ tool, calls: t.calls, agents: [...t.agents].sort() }))
      .sort(byName('tool')),
    out_of_entitlement: out.sort((a, b) => b.calls - a.calls || String(a.agent_id).localeCompare(String(b.agent_id)) || a.tool.localeCompare(b.tool)),
    new_tools: [...byTool.entries()]
      .filter(([tool]) => !known.tools.has(tool))
      .map(([tool, t]) => ({ tool, calls: t.calls }))
      .sort(byName('tool')),
    new_agents: [...byAgent.entries()]
      .filter(([agent]) => !known.agents.has(agent))
      .map(([agent_id, calls]) => ({ agent_id, calls }))
      .sort(byName('agent_id')),
    cost_changes: changes.sort((a, b) => Math.abs(b.change) - Math.abs(a.change)),
  };
}

interface DriftInputs {
  usage: UsageRow[];
  known: { tools: Set<string>; agents: Set<string> };
  current: ToolDigestGroup[];
  previous: ToolDigestGroup[];
}

async function postgresInputs(pool: Pool, week: DigestWindow, prevWeek: DigestWindow, lookback: DigestWindow): Promise<DriftInputs> {
  const usage = (
    await pool.query<{ tool: string; agent_id: string | null; workspace_id: string | null; action: string | null; calls: string; denied: string }>(
      `SELECT tool, agent_id, workspace_id, action, count(*) AS calls, count(*) FILTER (WHERE status = 'denied') AS denied
         FROM audit.tool_events WHERE ts >= $1 AND ts < $2
        GROUP BY tool, agent_id, workspace_id, action`,
      [week.from, week.to],
    )
  ).rows.map((r) => ({ ...r, calls: Number(r.calls), denied: Number(r.denied) }));
  const seen = (
    await pool.query<{ g_tool: number; tool: string | null; agent_id: string | null }>(
      `SELECT GROUPING(tool) AS g_tool, tool, agent_id FROM audit.tool_events WHERE ts >= $1 AND ts < $2 GROUP BY GROUPING SETS ((tool), (agent_id))`,
      [lookback.from, lookback.to],
    )
  ).rows;
  const known = { tools: new Set<string>(), agents: new Set<string>() };
  for (const s of seen) {
    if (Number(s.g_tool) === 0 && s.tool !== null) known.tools.add(s.tool);
    else if (s.agent_id !== null) known.agents.add(s.agent_id);
  }
  const q = poolQuery(pool);
  return { usage, known, current: await queryToolDigestGroups(q, week), previous: await queryToolDigestGroups(q, prevWeek) };
}

async function jsonlInputs(
  settings: OperationsSettings,
  week: DigestWindow,
  prevWeek: DigestWindow,
  lookback: DigestWindow,
): Promise<DriftInputs & { broken: string[] }> {
  const { records, broken } = await readToolRecords(settings.jsonlDir, utcDay(lookback.from), utcDay(new Date(week.to.getTime() - 1)));
  const events = records as unknown as (DigestToolEvent & { action?: string | null })[];
  const inWeek = events.filter((e) => inDigestWindow(e, week));
  const usageMap = new Map<string, UsageRow>();
  for (const e of inWeek) {
    const key = JSON.stringify([e.tool, e.agent_id ?? null, e.workspace_id ?? null, e.action ?? null]);
    const u = usageMap.get(key) ?? {
      tool: e.tool,
      agent_id: e.agent_id ?? null,
      workspace_id: e.workspace_id ?? null,
      action: e.action ?? null,
      calls: 0,
      denied: 0,
    };
    u.calls += 1;
    if (e.status === 'denied') u.denied += 1;
    usageMap.set(key, u);
  }
  const known = { tools: new Set<string>(), agents: new Set<string>() };
  for (const e of events.filter((x) => inDigestWindow(x, lookback))) {
    known.tools.add(e.tool);
    if (e.agent_id) known.agents.add(e.agent_id);
  }
  return {
    usage: [...usageMap.values()],
    known,
    current: toolDigestGroupsFromEvents(inWeek),
    previous: toolDigestGroupsFromEvents(events.filter((e) => inDigestWindow(e, prevWeek))),
    broken,
  };
}

/** Builds the drift report of one ISO week (exported for benchmarks and tests). */
export async function buildWeeklyDrift(
  pool: Pool,
  settings: OperationsSettings,
  config: WeeklyDriftConfig,
  now: Date,
): Promise<{ label: string; report: Record<string, unknown>; drift: DriftReport; broken: string[] }> {
  const monday = isoWeek(now).monday.getTime() - config.week_offset * 7 * 86_400_000;
  const window = (from: number, to: number): DigestWindow => ({ from: new Date(from), to: new Date(to), workspace: null, toInclusive: false });
  const week = window(monday, monday + 7 * 86_400_000);
  const prevWeek = window(monday - 7 * 86_400_000, monday);
  const lookback = window(monday - config.lookback_weeks * 7 * 86_400_000, monday);
  const source = resolveSource(config.source, settings);
  const inputs =
    source === 'postgres'
      ? { ...(await postgresInputs(pool, week, prevWeek, lookback)), broken: [] as string[] }
      : await jsonlInputs(settings, week, prevWeek, lookback);
  const model = readCostModel(settings);
  const policy = readRbac(settings);
  const drift = computeDrift(
    inputs.usage,
    inputs.known,
    { current: toolCosts(inputs.current, model), previous: toolCosts(inputs.previous, model) },
    policy,
    config.cost_change_threshold,
  );
  const label = isoWeekLabel(new Date(monday));
  const report = {
    kind: 'weekly_drift',
    week: label.slice('week-'.length),
    from: week.from.toISOString(),
    to: week.to.toISOString(),
    to_exclusive: true,
    generated_at: now.toISOString(),
    source,
    rbac_file: settings.rbacFile ?? null,
    known_since: lookback.from.toISOString(),
    cost_change_threshold: config.cost_change_threshold,
    currency: model.currency,
    ...(inputs.broken.length ? { broken_files: inputs.broken } : {}),
    ...drift,
  };
  return { label, report, drift, broken: inputs.broken };
}

function driftMarkdown(r: Record<string, unknown>, d: DriftReport): string {
  return [
    `# Drift report ${String(r['week'])}`,
    '',
    `Source: ${String(r['source'])}. Window ${String(r['from'])} to ${String(r['to'])} (end excluded). Policy: ${String(r['rbac_file'] ?? 'RBAC_FILE unset')}.`,
    '',
    '## Tools no policy lists',
    '',
    mdTable(
      ['tool', 'calls', 'agents'],
      d.unlisted_tools.map((t) => [t.tool, t.calls, t.agents.join(', ')]),
    ),
    '## Agents outside their entitlements',
    '',
    mdTable(
      ['agent', 'workspace', 'tool', 'action', 'calls', 'reason'],
      d.out_of_entitlement.map((o) => [o.agent_id, o.workspace_id, o.tool, o.action, o.calls, o.reason]),
    ),
    `## New tools and agents (not seen since ${String(r['known_since'])})`,
    '',
    mdTable(
      ['tool', 'calls'],
      d.new_tools.map((t) => [t.tool, t.calls]),
    ),
    mdTable(
      ['agent', 'calls'],
      d.new_agents.map((a) => [a.agent_id, a.calls]),
    ),
    `## Cost changes above ${Number(r['cost_change_threshold']) * 100} % week over week`,
    '',
    mdTable(
      ['tool', `previous (${String(r['currency'])})`, `this week (${String(r['currency'])})`, 'change'],
      d.cost_changes.map((c) => [c.tool, c.previous_cost, c.cost, `${round6(c.change * 100)} %`]),
    ),
  ].join('\n');
}

/** `weekly_drift`: writes `<AUDIT_REPORTS_DIR>/drift/week-YYYY-WW.json` (ISO week) and `.md`. */
@ActionType({
  type: ACTION_TYPES.weeklyDrift,
  config: WeeklyDriftConfigSchema,
  description: 'Weekly drift: tools no policy lists, agents outside their entitlements, new tools/agents, cost swings > 50 %.',
})
export class WeeklyDriftAction implements ActionHandler<WeeklyDriftConfig> {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
  ) {}

  async run(action: ActionView<WeeklyDriftConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const settings = operationsSettings(this.config);
    const { label, report, drift, broken } = await buildWeeklyDrift(this.pool, settings, action.config, ctx.now());
    const paths = await writeReport(join(settings.reportsDir, 'drift'), label, report, driftMarkdown(report, drift));
    const target = label;
    const checks: Check[] = [
      {
        check_id: `${RULE.id}.unlisted_tools`,
        target,
        status: drift.unlisted_tools.length ? 'warn' : 'pass',
        message: drift.unlisted_tools.length
          ? `${drift.unlisted_tools.length} tool(s) used that no policy lists: ${drift.unlisted_tools
              .map((t) => t.tool)
              .join(', ')
              .slice(0, 500)}`
          : 'every tool used is listed in the policy',
        rule: RULE,
        evidence: { unlisted_tools: drift.unlisted_tools.slice(0, 50) },
      },
      {
        check_id: `${RULE.id}.entitlements`,
        target,
        status: drift.out_of_entitlement.length ? 'fail' : 'pass',
        message: drift.out_of_entitlement.length
          ? `${drift.out_of_entitlement.length} agent/tool use(s) outside the entitlements: ${drift.out_of_entitlement
              .slice(0, 5)
              .map((o) => `${String(o.agent_id)} → ${o.tool}`)
              .join(', ')}`
          : 'every agent stayed within its entitlements',
        rule: RULE,
        evidence: { out_of_entitlement: drift.out_of_entitlement.slice(0, 50) },
      },
      {
        check_id: `${RULE.id}.new`,
        target,
        status: 'pass',
        message: `${drift.new_tools.length} new tool(s), ${drift.new_agents.length} new agent(s)`,
        rule: RULE,
        evidence: { new_tools: drift.new_tools.slice(0, 50), new_agents: drift.new_agents.slice(0, 50) },
      },
      {
        check_id: `${RULE.id}.cost`,
        target,
        status: drift.cost_changes.length ? 'warn' : 'pass',
        message: drift.cost_changes.length
          ? `${drift.cost_changes.length} tool(s) changed cost by more than ${action.config.cost_change_threshold * 100} %`
          : 'no tool cost changed beyond the threshold',
        rule: RULE,
        evidence: { cost_changes: drift.cost_changes.slice(0, 50), report: paths.json },
      },
    ];
    if (broken.length > 0)
      checks.push({
        check_id: `${RULE.id}.jsonl`,
        target,
        status: 'fail',
        message: `JSONL file(s) with a broken hash chain were left out: ${broken.join(', ').slice(0, 1000)}`,
        rule: RULE,
        evidence: { broken },
      });
    return outcomeFromChecks(checks, { week: report.week, paths });
  }
}
