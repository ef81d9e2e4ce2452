import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { ACTION_TYPES, type Check, type CheckRule } from '@auditstack/audit-core';
import { finopsDigest, finopsDigestFromEvents } from '@auditstack/audit-core/server';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine.config';
import { ENGINE_PG } from '../../database/engine-pg.util';
import {
  brokenJsonlChecks,
  buildDailyDigest,
  DailyDigestConfigSchema,
  type DailyDigestConfig,
  type DailyDigestKind,
  type DigestSource,
} from '../../operations/digest-source.util';
import { operationsSettings, readCostModel, type OperationsSettings } from '../../operations/operations-settings.util';
import { mdTable, writeReport } from '../../operations/report-files.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

/** `day_offset` (1 = yesterday) and `source` (auto | postgres | jsonl). */
export const DailyCostDigestConfigSchema = DailyDigestConfigSchema;
export type DailyCostDigestConfig = DailyDigestConfig;

const RULE: CheckRule = {
  id: 'digest.cost',
  description: "The day's cost digest (the numbers of /v1/finops/dashboard for that UTC day) is written to the reports folder.",
  reference: 'docs/operations.md §9',
};

/**
 * The daily cost digest of one UTC day `[00:00, 24:00)`: exactly what
 * `/v1/finops/dashboard` computes (shared `finopsDigest`), from PostgreSQL or,
 * with the JSONL backend, from that day's JSONL files. Exported for benchmarks.
 */
export async function buildDailyCostDigest(
  pool: Pool,
  settings: OperationsSettings,
  options: { dayOffset: number; source: DigestSource },
  now: Date,
): Promise<{ day: string; report: Record<string, unknown>; broken: string[] }> {
  const model = readCostModel(settings);
  const digest: DailyDigestKind = {
    kind: 'daily_cost_digest',
    fromPostgres: (query, window) => finopsDigest(query, window, model),
    fromEvents: (events, window) => finopsDigestFromEvents(events, window, model),
  };
  return buildDailyDigest(digest, pool, settings, options, now);
}

type Entry = Record<string, unknown>;

function costMarkdown(r: Entry): string {
  const t = r['totals'] as Entry;
  const cur = String(r['currency']);
  const rows = (list: unknown, key: string): unknown[][] =>
    (list as Entry[]).map((e) => [
      e[key],
      e['calls'],
      e['errors'],
      e['denied'],
      e['p50_duration_ms'],
      e['p95_duration_ms'],
      e['bytes_in'],
      e['bytes_out'],
      e['cost'],
    ]);
  const head = (k: string): string[] => [k, 'calls', 'errors', 'denied', 'p50 ms', 'p95 ms', 'bytes in', 'bytes out', `cost (${cur})`];
  return [
    `# Cost digest ${String(r['day'])} (UTC)`,
    '',
    `Source: ${String(r['source'])}. Window ${String(r['from'])} to ${String(r['to'])} (end excluded). Generated ${String(r['generated_at'])}.`,
    '',
    '## Totals',
    '',
    mdTable(
      [
        'calls',
        'errors',
        'error rate',
        'p50 ms',
        'p95 ms',
        'bytes in',
        'bytes out',
        `tool cost (${cur})`,
        'engine hours',
        `engine cost (${cur})`,
        `total (${cur})`,
      ],
      [
        [
          t['calls'],
          t['errors'],
          t['error_rate'],
          t['p50_duration_ms'],
          t['p95_duration_ms'],
          t['bytes_in'],
          t['bytes_out'],
          t['cost'],
          t['engine_hours'],
          t['engine_cost'],
          t['total_cost'] ?? t['cost'],
        ],
      ],
    ),
    '## By tool',
    '',
    mdTable(head('tool'), rows(r['by_tool'], 'tool')),
    '## By agent',
    '',
    mdTable(head('agent'), rows(r['by_agent'], 'agent_id')),
    '## By workspace',
    '',
    mdTable(head('workspace'), rows(r['by_workspace'], 'workspace_id')),
  ].join('\n');
}

/** `daily_cost_digest`: writes `<AUDIT_REPORTS_DIR>/cost/YYYY-MM-DD.json` and `.md`. */
@ActionType({
  type: ACTION_TYPES.dailyCostDigest,
  config: DailyCostDigestConfigSchema,
  description: "Writes the day's cost digest (calls, errors, p50/p95, bytes, cost per tool/agent/workspace) to reports/cost/.",
})
export class DailyCostDigestAction implements ActionHandler<DailyCostDigestConfig> {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
  ) {}

  async run(action: ActionView<DailyCostDigestConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const settings = operationsSettings(this.config);
    const { day, report, broken } = await buildDailyCostDigest(
      this.pool,
      settings,
      { dayOffset: action.config.day_offset, source: action.config.source },
      ctx.now(),
    );
    const paths = await writeReport(join(settings.reportsDir, 'cost'), day, report, costMarkdown(report));
    const t = report['totals'] as Entry;
    const checks: Check[] = [
      {
        check_id: RULE.id,
        target: day,
        status: 'pass',
        message: `${day}: ${String(t['calls'])} calls, cost ${String(t['total_cost'] ?? t['cost'])} ${String(report['currency'])}; wrote ${paths.json}`,
        rule: RULE,
        evidence: { day, source: report['source'], paths, totals: t },
      },
      ...brokenJsonlChecks(RULE, day, broken),
    ];
    return outcomeFromChecks(checks, { day, paths, totals: t });
  }
}
