import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { ACTION_TYPES, type Check, type CheckRule } from '@auditstack/audit-core';
import { privacyDigest, privacyDigestFromEvents } from '@auditstack/audit-core/server';
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
import { operationsSettings, type OperationsSettings } from '../../operations/operations-settings.util';
import { mdTable, writeReport } from '../../operations/report-files.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

/** `day_offset` (1 = yesterday) and `source` (auto | postgres | jsonl). */
export const DailyPrivacyDigestConfigSchema = DailyDigestConfigSchema;
export type DailyPrivacyDigestConfig = DailyDigestConfig;

/** The privacy digest as a daily digest: the shared `privacyDigest` over PostgreSQL or the day's JSONL events. */
const PRIVACY_DIGEST: DailyDigestKind = { kind: 'daily_privacy_digest', fromPostgres: privacyDigest, fromEvents: privacyDigestFromEvents };

const RULE: CheckRule = {
  id: 'digest.privacy',
  description: "The day's privacy digest (the numbers of /v1/privacy/dashboard for that UTC day) is written, and no payload is stored.",
  reference: 'docs/operations.md §9',
};

/** The daily privacy digest of one UTC day: what `/v1/privacy/dashboard` computes (shared `privacyDigest`). Exported for benchmarks. */
export function buildDailyPrivacyDigest(
  pool: Pool,
  settings: OperationsSettings,
  options: { dayOffset: number; source: DigestSource },
  now: Date,
): Promise<{ day: string; report: Record<string, unknown>; broken: string[] }> {
  return buildDailyDigest(PRIVACY_DIGEST, pool, settings, options, now);
}

type Entry = Record<string, unknown>;

function privacyMarkdown(r: Entry): string {
  const t = r['totals'] as Entry;
  const outliers = (r['size_outliers'] as Entry)['events'] as Entry[];
  const guarantee = r['payload_guarantee'] as { payload_columns_in_table: string[]; how: string[] };
  return [
    `# Privacy digest ${String(r['day'])} (UTC)`,
    '',
    `Source: ${String(r['source'])}. Window ${String(r['from'])} to ${String(r['to'])} (end excluded). Generated ${String(r['generated_at'])}.`,
    '',
    '## Totals',
    '',
    mdTable(['calls', 'bytes in', 'bytes out', 'without input_hash'], [[t['calls'], t['bytes_in'], t['bytes_out'], t['without_hash']]]),
    '## Volume by tool',
    '',
    mdTable(
      ['tool', 'calls', 'bytes in', 'bytes out', 'bytes total', 'without hash'],
      (r['volume_by_tool'] as Entry[]).map((e) => [e['tool'], e['calls'], e['bytes_in'], e['bytes_out'], e['bytes_total'], e['without_hash']]),
    ),
    '## Volume by workspace',
    '',
    mdTable(
      ['workspace', 'calls', 'bytes in', 'bytes out', 'bytes total', 'without hash'],
      (r['volume_by_workspace'] as Entry[]).map((e) => [e['workspace_id'], e['calls'], e['bytes_in'], e['bytes_out'], e['bytes_total'], e['without_hash']]),
    ),
    '## Repeated inputs',
    '',
    mdTable(
      ['input_hash', 'calls', 'tools', 'agents', 'workspaces'],
      (r['repeated_inputs'] as Entry[]).map((e) => [e['input_hash'], e['calls'], (e['tools'] as string[]).join(', '), e['agents'], e['workspaces']]),
    ),
    `## Size outliers (${String((r['size_outliers'] as Entry)['rule'])})`,
    '',
    mdTable(
      ['event', 'tool', 'agent', 'in', 'out', 'tool median in', 'tool median out'],
      outliers.map((o) => [o['event_id'], o['tool'], o['agent_id'], o['in_size'], o['out_size'], o['tool_median_in'], o['tool_median_out']]),
    ),
    '## Payloads',
    '',
    `Payloads stored: **no**. Payload-like columns found: ${guarantee.payload_columns_in_table.length ? guarantee.payload_columns_in_table.join(', ') : 'none'}.`,
    '',
    ...guarantee.how.map((h) => `- ${h}`),
    '',
  ].join('\n');
}

/** `daily_privacy_digest`: writes `<AUDIT_REPORTS_DIR>/privacy/YYYY-MM-DD.json` and `.md`. */
@ActionType({
  type: ACTION_TYPES.dailyPrivacyDigest,
  config: DailyPrivacyDigestConfigSchema,
  description: "Writes the day's privacy digest (volume, repeated inputs, size outliers, events without hash) to reports/privacy/.",
})
export class DailyPrivacyDigestAction implements ActionHandler<DailyPrivacyDigestConfig> {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
  ) {}

  async run(action: ActionView<DailyPrivacyDigestConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const settings = operationsSettings(this.config);
    const { day, report, broken } = await buildDailyPrivacyDigest(
      this.pool,
      settings,
      { dayOffset: action.config.day_offset, source: action.config.source },
      ctx.now(),
    );
    const paths = await writeReport(join(settings.reportsDir, 'privacy'), day, report, privacyMarkdown(report));
    const t = report['totals'] as Entry;
    const payloadColumns = (report['payload_guarantee'] as { payload_columns_in_table: string[] }).payload_columns_in_table;
    const checks: Check[] = [
      {
        check_id: RULE.id,
        target: day,
        status: 'pass',
        message: `${day}: ${String(t['calls'])} calls, ${String(t['without_hash'])} without input_hash; wrote ${paths.json}`,
        rule: RULE,
        evidence: { day, source: report['source'], paths, totals: t },
      },
      {
        check_id: `${RULE.id}.no_payloads`,
        target: day,
        status: payloadColumns.length === 0 ? 'pass' : 'fail',
        message: payloadColumns.length === 0 ? 'no payload-like field is stored' : `payload-like fields found: ${payloadColumns.join(', ')}`,
        rule: RULE,
        evidence: { payload_columns: payloadColumns },
      },
      ...brokenJsonlChecks(RULE, day, broken),
    ];
    return outcomeFromChecks(checks, { day, paths, totals: t });
  }
}
