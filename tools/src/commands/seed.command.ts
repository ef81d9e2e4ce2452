import type { Command } from 'commander';
import { ACTION_TYPES } from '@auditstack/audit-core';
import { createDataSource } from '@auditstack/audit-core/server';
import type { SqlExecutor } from '@auditstack/evidence';
import { insertLedgeredRows } from '@auditstack/evidence-store';
import { randomUUID } from 'node:crypto';
import { openDatabaseTarget } from '../database/database-target.util';
import { jsonOption, printResult } from '../cli/cli-output.util';

/** Runs one SQL statement and returns its rows (`DataSource.query` and a `pg` wrapper both fit). */
export type SeedQuery = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface SeedOptions {
  /** Base URL of the engine; the demo `http` check requests its own `/ping`, so it passes offline. @defaultValue `http://127.0.0.1:8200` */
  engineUrl?: string;
  /**
   * Runs `work` in one transaction (the workbook row, its config change and its ledger leaf commit together).
   * @defaultValue BEGIN/COMMIT through `query` — right only when `query` always uses one connection
   */
  transaction?: <T>(work: (query: SeedQuery) => Promise<T>) => Promise<T>;
}

/** BEGIN … COMMIT through a single-connection `query`. */
function queryTransaction(query: SeedQuery): <T>(work: (q: SeedQuery) => Promise<T>) => Promise<T> {
  return async (work) => {
    await query('BEGIN');
    try {
      const out = await work(query);
      await query('COMMIT');
      return out;
    } catch (error) {
      await query('ROLLBACK');
      throw error;
    }
  };
}

export interface SeedResult {
  projectId: string;
  platformProjectId: string;
  /** Names of the actions this call created (empty when they all existed). */
  createdActions: string[];
  createdServices: string[];
}

/** The demo project's name: the seed finds its rows by name, so running it again changes nothing. */
export const DEMO_PROJECT = 'demo';
/** The platform's self-audit project: evidence checkpoint and verification as scheduled actions. */
export const PLATFORM_PROJECT = 'auditstack-platform';

/** Inventory rows for the documentation-compliance check: one documented, one not (a finding to look at). */
const DEMO_SERVICES = [
  {
    name: 'auditstack-engine',
    type: 'service',
    host: '127.0.0.1:8200',
    workbook: 'yes',
    url: 'https://example.org/workbooks/auditstack-engine',
    notes: 'demo row',
  },
  { name: 'legacy-sftp', type: 'vm', host: 'sftp.internal.example', workbook: 'no', url: null, notes: 'demo row: no compliance workbook yet' },
] as const;

/** The platform's operations jobs (retention, JSONL cleanup and compaction, digests, drift), seeded in the platform project. */
export const OPERATIONS_ACTIONS = [
  {
    name: 'daily_cost_digest',
    type: ACTION_TYPES.dailyCostDigest,
    schedule: '15 0 * * *',
    config: { day_offset: 1 },
    description: "Yesterday's cost digest → reports/cost/YYYY-MM-DD.json and .md.",
    timeoutMs: 600_000,
  },
  {
    name: 'daily_privacy_digest',
    type: ACTION_TYPES.dailyPrivacyDigest,
    schedule: '20 0 * * *',
    config: { day_offset: 1 },
    description: "Yesterday's privacy digest → reports/privacy/YYYY-MM-DD.json and .md.",
    timeoutMs: 600_000,
  },
  {
    name: 'audit_cleanup',
    type: ACTION_TYPES.auditCleanup,
    schedule: '30 0 * * *',
    config: {},
    description: 'Gzip JSONL audit files older than the policy (7 d), delete the oldest (30 d); never unreplayed or busy files.',
    timeoutMs: 600_000,
  },
  {
    name: 'retention',
    type: ACTION_TYPES.retention,
    schedule: '45 0 * * *',
    config: {},
    description: 'Drop monthly event partitions older than the policy (90 d) with a ledger tombstone each.',
    timeoutMs: 600_000,
  },
  {
    name: 'audit_compact',
    type: ACTION_TYPES.auditCompact,
    schedule: '0 1 * * 1',
    config: { period: 'week', offset: 1 },
    description: "Merge last week's daily JSONL files into one re-chained, verified file.",
    timeoutMs: 600_000,
  },
  {
    name: 'weekly_drift',
    type: ACTION_TYPES.weeklyDrift,
    schedule: '30 1 * * 1',
    config: { week_offset: 1 },
    description: 'Last ISO week: unlisted tools, agents outside entitlements, new tools/agents, cost swings > 50 % → reports/drift/.',
    timeoutMs: 600_000,
  },
] as const;

/**
 * The demo's mail-domain posture workbook (docs/workbooks.md): MX, SPF and
 * DMARC of one domain, the DMARC policy extracted and asserted. DNS needs the
 * internet, so its `mail_posture` action is seeded paused (see below).
 */
export const MAIL_POSTURE_WORKBOOK = {
  name: 'mail-domain-posture',
  description: 'Mail-domain posture of example.org: MX (or null MX), SPF and an enforcing DMARC policy. Replace the domain with yours.',
  steps: [
    { id: 'mx', kind: 'dns', rule: 'mx', domain: 'example.org', description: 'MX records, or a null MX saying the domain takes no mail.' },
    { id: 'spf', kind: 'dns', rule: 'spf', domain: 'example.org', description: 'One valid SPF record ending in -all or ~all.' },
    {
      id: 'dmarc',
      kind: 'dns',
      rule: 'dmarc',
      domain: 'example.org',
      description: 'A DMARC record whose policy quarantines or rejects failing mail.',
      extract: { dmarc_policy: "$.checks['dmarc.policy'].evidence.effective" },
      assert: [{ path: "$.checks['dmarc.policy'].evidence.effective", op: 'in', value: ['quarantine', 'reject'] }],
    },
  ],
} as const;

async function ensureProject(query: SeedQuery, name: string, description: string): Promise<string> {
  await query(`INSERT INTO audit.projects (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, description]);
  return String((await query(`SELECT id FROM audit.projects WHERE name = $1`, [name]))[0]!.id);
}

/**
 * Loads the demo data: a `demo` project with an `http` check of the engine's
 * own `/ping` (every minute) and the `infra_docs_check` documentation-compliance
 * preset over `audit.services` (every 5 minutes), the `mail_posture` workbook
 * action (paused: DNS needs the internet) with its workbook, plus two `services` rows;
 * and an `auditstack-platform` project with the self-audit: `evidence_checkpoint`
 * (every 10 minutes) and `evidence_verify` (hourly). Idempotent: existing rows
 * (by name) are left as they are.
 */
export async function seedDemo(query: SeedQuery, options: SeedOptions = {}): Promise<SeedResult> {
  const engineUrl = (options.engineUrl ?? 'http://127.0.0.1:8200').replace(/\/+$/, '');
  const projectId = await ensureProject(
    query,
    DEMO_PROJECT,
    'Demo project loaded by `auditstack seed`: a ping check of the engine and the documentation-compliance check.',
  );
  const platformProjectId = await ensureProject(
    query,
    PLATFORM_PROJECT,
    "The platform's self-audit: evidence ledger checkpoints and fail-closed verification (a failed verification is a red run).",
  );

  const actions = [
    {
      project: platformProjectId,
      name: 'evidence_checkpoint',
      type: ACTION_TYPES.evidenceCheckpoint,
      schedule: '*/10 * * * *',
      config: { force: false },
      description: 'Sign, timestamp and anchor a checkpoint of the evidence ledger when one is due.',
      timeoutMs: 120_000,
    },
    {
      project: platformProjectId,
      name: 'evidence_verify',
      type: ACTION_TYPES.evidenceVerify,
      schedule: '7 * * * *',
      config: {},
      description: 'Verify the whole evidence trail (chain, Merkle tree, checkpoints, anchors, rows); fail-closed.',
      timeoutMs: 600_000,
    },
    // Operations as scheduled actions (docs/operations.md §9), all in UTC after the day has closed.
    ...OPERATIONS_ACTIONS.map((a) => ({ ...a, project: platformProjectId })),
    {
      project: projectId,
      name: 'ping_check',
      type: ACTION_TYPES.http,
      schedule: '* * * * *',
      config: { url: `${engineUrl}/ping`, expected_status: 200, body_contains: 'ok', max_latency_ms: 2000 },
      description: "HTTP check of the engine's own /ping.",
      timeoutMs: 15_000,
    },
    {
      project: projectId,
      name: 'infra_docs_check',
      type: ACTION_TYPES.sqlAssertion,
      schedule: '*/5 * * * *',
      config: { preset: 'infra_docs_check' },
      description: "Every active element of audit.services has compliance_workbook = 'yes'.",
      timeoutMs: 30_000,
    },
    {
      project: projectId,
      name: 'mail_posture',
      type: ACTION_TYPES.workbook,
      schedule: '0 6 * * *',
      config: { workbook: MAIL_POSTURE_WORKBOOK.name },
      description:
        'Workbook mail-domain-posture (MX, SPF, DMARC of example.org). Seeded paused: its DNS steps need the internet and error offline. ' +
        'Save the workbook with your domain (POST /v1/workbooks) and resume this action.',
      timeoutMs: 60_000,
      status: 'paused',
    },
  ];
  // The workbook before the action that runs it (the API would refuse the action otherwise).
  if ((await query(`SELECT 1 FROM audit.workbooks WHERE name = $1`, [MAIL_POSTURE_WORKBOOK.name])).length === 0) {
    // Saved as the workbooks API saves it: the version row and its ledgered config change, in one transaction,
    // so `verify` (which compares every workbook version with its ledgered save) finds it recorded.
    await (options.transaction ?? queryTransaction(query))(async (tx) => {
      const saved = await tx(
        `INSERT INTO audit.workbooks (name, version, spec) VALUES ($1, 1, $2::jsonb) ON CONFLICT (name, version) DO NOTHING RETURNING id, name, version, spec, created_at`,
        [MAIL_POSTURE_WORKBOOK.name, JSON.stringify({ ...MAIL_POSTURE_WORKBOOK, version: 1 })],
      );
      if (!saved[0]) return;
      const executor = { query: async (text: string, params?: unknown[]) => ({ rows: await tx(text, params) }) } as unknown as SqlExecutor;
      const after = JSON.parse(JSON.stringify(saved[0])) as Record<string, unknown>;
      await insertLedgeredRows(executor, 'config', [
        {
          id: randomUUID(),
          at: new Date(),
          actor: 'seed',
          subject_kind: 'workbook',
          subject_id: MAIL_POSTURE_WORKBOOK.name,
          change: 'save',
          before: null,
          after,
        },
      ]);
    });
  }
  const createdActions: string[] = [];
  for (const action of actions) {
    const exists = await query(`SELECT 1 FROM audit.actions WHERE project_id = $1 AND name = $2`, [action.project, action.name]);
    if (exists.length > 0) continue;
    await query(
      `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, description, timeout_ms, status)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) ON CONFLICT (project_id, name) DO NOTHING`,
      [
        action.project,
        action.name,
        action.type,
        action.schedule,
        JSON.stringify(action.config),
        action.description,
        action.timeoutMs,
        'status' in action ? action.status : 'active',
      ],
    );
    createdActions.push(action.name);
  }

  const createdServices: string[] = [];
  for (const service of DEMO_SERVICES) {
    const exists = await query(`SELECT 1 FROM audit.services WHERE service_name = $1`, [service.name]);
    if (exists.length > 0) continue;
    await query(
      `INSERT INTO audit.services (service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes)
       VALUES ($1, $2, $3, 'active', $4, $5, $6) ON CONFLICT (service_name) DO NOTHING`,
      [service.name, service.type, service.host, service.workbook, service.url, service.notes],
    );
    createdServices.push(service.name);
  }
  return { projectId, platformProjectId, createdActions, createdServices };
}

/** `auditstack seed`: {@link seedDemo} on the CLI's database; `--json` prints `{ project, project_id, platform_project_id, created_actions, created_services }`. */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('load the demo project and its built-in actions (idempotent: existing rows are kept)')
    .option('--engine-url <url>', 'engine base URL the demo http check requests', `http://127.0.0.1:${process.env.ENGINE_PORT || 8200}`)
    .addOption(jsonOption())
    .action(async (options: { engineUrl: string; json?: boolean }) => {
      const target = await openDatabaseTarget();
      const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-seed', poolMax: 1 });
      try {
        await dataSource.initialize();
        const result = await seedDemo((text, params) => dataSource.query(text, params), {
          engineUrl: options.engineUrl,
          transaction: (work) => dataSource.transaction((manager) => work((text, params) => manager.query(text, params))),
        });
        printResult(
          options.json,
          {
            project: DEMO_PROJECT,
            project_id: result.projectId,
            platform_project_id: result.platformProjectId,
            created_actions: result.createdActions,
            created_services: result.createdServices,
          },
          () =>
            `seeded project "${DEMO_PROJECT}" (${result.projectId}): ` +
            `${result.createdActions.length ? `created actions ${result.createdActions.join(', ')}` : 'actions already present'}; ` +
            `${result.createdServices.length ? `created services ${result.createdServices.join(', ')}` : 'services already present'}`,
        );
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await target.release();
      }
    });
}
