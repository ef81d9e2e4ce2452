import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CheckStatus, ENGINE_ROUTES, RouteResult } from '@auditstack/audit-core';
import { ActionRegistry } from '../actions/action-registry.service';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG } from '../database/engine-pg.util';
import { EngineError } from '../engine.errors';
import { actionProblem, type ActionTypeLookup } from '../scheduling/action-problem.util';

/** Scorecard colour: all pass → green; any warn → amber; any fail or error → red; no results yet → grey. */
export type Badge = 'green' | 'amber' | 'red' | 'grey';

export interface StatusCounts {
  pass: number;
  warn: number;
  fail: number;
  error: number;
}

export interface ScoreSummary {
  /** Checks whose latest result is pass or warn (a warn colours the badge, not the score). */
  score: number;
  /** Checks with a latest result. */
  total: number;
  /** `X/N`. */
  score_text: string;
  badge: Badge;
  last_audit_at: Date | null;
  counts: StatusCounts;
}

/** Why a project is red beyond its check results: an active action's latest run, or an action that cannot be scheduled. */
export interface CardReason {
  action_id: string;
  action_name: string;
  kind: 'fail' | 'error' | 'unschedulable';
  /** The line the card shows: `nightly: cannot be scheduled — invalid cron '61 * * * *'`. */
  text: string;
  /** The latest run the reason rests on; null for an action that cannot be scheduled. */
  run_id: string | null;
  at: Date | null;
}

/** What decides a project's badge besides the counts of its active actions' latest check results. */
export interface ProjectHealth {
  reasons: CardReason[];
  reason_count: number;
  last_run_at: Date | null;
}

export interface ProjectCard extends ScoreSummary, ProjectHealth {
  project_id: string;
  name: string;
  description: string;
  actions: { active: number; paused: number };
  targets: string[];
}

/** An active action with its latest run (if any), as the overview reads it. */
export interface ActiveActionRow {
  id: string;
  project_id: string;
  name: string;
  action_type: string | null;
  schedule: string;
  config: unknown;
  run_id: string | null;
  run_status: string | null;
  run_message: string | null;
  run_error_code: string | null;
  run_started_at: Date | null;
  run_finished_at: Date | null;
}

/** Reasons shown per card; `reason_count` has them all. */
export const MAX_CARD_REASONS = 10;
const REASON_DETAIL = 120;
/** Error codes of runs that only say the row was invalid: the current row is validated instead. */
const ROW_PROBLEM_CODES: ReadonlySet<string> = new Set(['unknown_type', 'invalid_schedule', 'config_invalid']);

function detailOf(message: string | null): string {
  const text = (message ?? '').replace(/\s+/g, ' ').trim();
  return text.length > REASON_DETAIL ? `${text.slice(0, REASON_DETAIL)}…` : text;
}

/**
 * The reasons of one project's active actions: each one whose current row
 * cannot be scheduled (the scheduler's validators), else whose latest run is
 * `fail` or `error` — with or without checks (a run past its timeout keeps
 * none). A paused action is never a reason.
 */
export function healthOf(
  actions: readonly ActiveActionRow[],
  registry: ActionTypeLookup,
  allowSeconds: boolean,
): ProjectHealth & { ran: boolean; warned: boolean } {
  const reasons: CardReason[] = [];
  let lastRunAt: Date | null = null;
  let ran = false;
  let warned = false;
  for (const action of [...actions].sort((a, b) => a.name.localeCompare(b.name))) {
    const problem = actionProblem(action, registry, allowSeconds, true);
    if (problem) {
      reasons.push({
        action_id: action.id,
        action_name: action.name,
        kind: 'unschedulable',
        text: `${action.name}: cannot be scheduled — ${problem.short}`,
        run_id: null,
        at: null,
      });
      continue;
    }
    // The row is valid now: an error run that only said it was not is no verdict on the action.
    if (!action.run_id || (action.run_error_code && ROW_PROBLEM_CODES.has(action.run_error_code))) continue;
    ran = true;
    const endedAt = action.run_finished_at ?? action.run_started_at;
    if (endedAt && (!lastRunAt || endedAt > lastRunAt)) lastRunAt = endedAt;
    if (action.run_status === 'warn') warned = true;
    if (action.run_status !== 'fail' && action.run_status !== 'error') continue;
    const detail = action.run_error_code === 'timeout' ? 'timed out' : detailOf(action.run_message);
    reasons.push({
      action_id: action.id,
      action_name: action.name,
      kind: action.run_status,
      text: `${action.name}: last run ${action.run_status}${detail ? ` (${detail})` : ''}`,
      run_id: action.run_id,
      at: action.run_started_at,
    });
  }
  return { reasons: reasons.slice(0, MAX_CARD_REASONS), reason_count: reasons.length, last_run_at: lastRunAt, ran, warned };
}

/**
 * A project's summary and badge: the counts of its active actions' latest
 * check results, turned red by any reason, and grey only when no active
 * action has run yet and none is unschedulable.
 */
export function projectSummary(counts: StatusCounts, lastAuditAt: Date | null, health: ReturnType<typeof healthOf>): ScoreSummary & ProjectHealth {
  const summary = summarise(counts, lastAuditAt);
  let badge = summary.badge;
  if (health.reason_count > 0) badge = 'red';
  else if (badge === 'grey' && health.ran) badge = health.warned ? 'amber' : 'green';
  else if (badge === 'green' && health.warned) badge = 'amber';
  return { ...summary, badge, reasons: health.reasons, reason_count: health.reason_count, last_run_at: health.last_run_at };
}

export interface ScorecardCheck {
  check_id: string;
  target: string;
  status: CheckStatus;
  message: string;
  rule: Record<string, unknown>;
  evidence: Record<string, unknown>;
  checked_at: Date;
  run_id: string;
  action_id: string;
  /** Earlier results of this check from `runs`, newest first. */
  history: { run_id: string; status: string; started_at: Date }[];
}

/** Latest results, per project and target: what the overview page and scorecards read. */
export function summarise(counts: StatusCounts, lastAuditAt: Date | null): ScoreSummary {
  const total = counts.pass + counts.warn + counts.fail + counts.error;
  const score = counts.pass + counts.warn;
  const badge: Badge = total === 0 ? 'grey' : counts.fail + counts.error > 0 ? 'red' : counts.warn > 0 ? 'amber' : 'green';
  return { score, total, score_text: `${score}/${total}`, badge, last_audit_at: lastAuditAt, counts };
}

const HISTORY_RUNS = 20;
const HISTORY_PER_CHECK = 10;

@Injectable()
export class OverviewService {
  private cache: { at: number; version: number; cards: Promise<ProjectCard[]> } | null = null;

  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
    private readonly version: DataVersion,
    private readonly registry: ActionRegistry,
  ) {}

  /**
   * One card per project. Concurrent requests share one query, and the cards
   * are reused for `ENGINE_OVERVIEW_CACHE_MS` unless this replica wrote since
   * (a dashboard polled by many browsers costs one query per interval).
   */
  overview(): Promise<ProjectCard[]> {
    const now = Date.now();
    const cached = this.cache;
    if (cached && cached.version === this.version.current && now - cached.at < this.config.ENGINE_OVERVIEW_CACHE_MS) return cached.cards;
    const cards = this.loadOverview();
    const entry = { at: now, version: this.version.current, cards };
    this.cache = entry;
    cards.catch(() => {
      if (this.cache === entry) this.cache = null;
    });
    return cards;
  }

  /** Active actions with their latest run (one index probe per action), grouped by project. */
  private async activeActions(projectId?: string): Promise<Map<string, ActiveActionRow[]>> {
    const { rows } = await this.pool.query<ActiveActionRow>(
      `SELECT a.id, a.project_id, a.name, a.action_type, a.schedule, a.config,
              r.id AS run_id, r.status AS run_status, r.message AS run_message, r.error_code AS run_error_code,
              r.started_at AS run_started_at, r.finished_at AS run_finished_at
       FROM audit.actions a
       LEFT JOIN LATERAL (
         SELECT id, status, left(message, 500) AS message, output->'error'->>'code' AS error_code, started_at, finished_at
         FROM audit.runs WHERE action_id = a.id ORDER BY started_at DESC LIMIT 1
       ) r ON true
       WHERE a.status = 'active' AND ($1::uuid IS NULL OR a.project_id = $1)`,
      [projectId ?? null],
    );
    const out = new Map<string, ActiveActionRow[]>();
    for (const row of rows) out.set(row.project_id, [...(out.get(row.project_id) ?? []), row]);
    return out;
  }

  private health(actions: readonly ActiveActionRow[] | undefined): ReturnType<typeof healthOf> {
    return healthOf(actions ?? [], this.registry, this.config.ENGINE_ALLOW_SECOND_SCHEDULES);
  }

  /** The cards from one grouped query over `check_results`, one over `actions` and one over active actions' latest runs. */
  private async loadOverview(): Promise<ProjectCard[]> {
    // Both reads at once: the cards wait for the slower one only.
    const activeActions = this.activeActions();
    activeActions.catch(() => undefined);
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      description: string;
      pass: number;
      warn: number;
      fail: number;
      error: number;
      last_audit_at: Date | null;
      targets: string[] | null;
      active: number;
      paused: number;
    }>(
      `SELECT p.id, p.name, p.description,
              COALESCE(c.pass, 0)::int AS pass, COALESCE(c.warn, 0)::int AS warn, COALESCE(c.fail, 0)::int AS fail,
              COALESCE(c.error, 0)::int AS error, c.last_audit_at, c.targets,
              COALESCE(a.active, 0)::int AS active, COALESCE(a.paused, 0)::int AS paused
       FROM audit.projects p
       LEFT JOIN (
         SELECT project_id,
                count(*) FILTER (WHERE status = 'pass') AS pass, count(*) FILTER (WHERE status = 'warn') AS warn,
                count(*) FILTER (WHERE status = 'fail') AS fail, count(*) FILTER (WHERE status = 'error') AS error,
                max(checked_at) AS last_audit_at, array_agg(DISTINCT target) AS targets
         FROM audit.check_results cr
         -- Results of a deleted or paused action do not count.
         WHERE EXISTS (SELECT 1 FROM audit.actions a WHERE a.id = cr.action_id AND a.status = 'active')
         GROUP BY project_id
       ) c ON c.project_id = p.id
       LEFT JOIN (
         SELECT project_id, count(*) FILTER (WHERE status = 'active') AS active, count(*) FILTER (WHERE status = 'paused') AS paused
         FROM audit.actions GROUP BY project_id
       ) a ON a.project_id = p.id
       ORDER BY p.name`,
    );
    const active = await activeActions;
    return rows.map((r) => ({
      project_id: r.id,
      name: r.name,
      description: r.description,
      ...projectSummary({ pass: r.pass, warn: r.warn, fail: r.fail, error: r.error }, r.last_audit_at, this.health(active.get(r.id))),
      actions: { active: r.active, paused: r.paused },
      targets: r.targets ?? [],
    }));
  }

  /** The latest result of each check of a project (optionally one target), with its history from `runs`. */
  async scorecard(projectId: string, target?: string): Promise<RouteResult<typeof ENGINE_ROUTES.getProjectScorecard>> {
    const project = await this.pool.query<{ id: string; name: string }>('SELECT id, name FROM audit.projects WHERE id = $1', [projectId]);
    if (!project.rows[0]) throw new EngineError('PROJECT_NOT_FOUND', `project ${projectId} not found`);
    const { rows } = await this.pool.query<Omit<ScorecardCheck, 'history'>>(
      `SELECT check_id, target, status, message, rule, evidence, checked_at, run_id, action_id
       FROM audit.check_results cr
       WHERE project_id = $1 AND ($2::text IS NULL OR target = $2)
         AND EXISTS (SELECT 1 FROM audit.actions a WHERE a.id = cr.action_id AND a.status = 'active')
       ORDER BY target, check_id`,
      [projectId, target ?? null],
    );
    const counts: StatusCounts = { pass: 0, warn: 0, fail: 0, error: 0 };
    let last: Date | null = null;
    for (const row of rows) {
      counts[row.status]++;
      if (!last || row.checked_at > last) last = row.checked_at;
    }
    const history = await this.history([...new Set(rows.map((r) => r.action_id))]);
    // The whole project reads as its overview card; one target reads its checks only (runs without checks name no target).
    const health = target === undefined ? this.health((await this.activeActions(projectId)).get(projectId)) : this.health([]);
    return {
      project_id: projectId,
      name: project.rows[0].name,
      target: target ?? null,
      ...projectSummary(counts, last, health),
      checks: rows.map((row) => ({ ...row, history: history.get(`${row.target}\u0000${row.check_id}`) ?? [] })),
    };
  }

  private async history(actionIds: string[]): Promise<Map<string, ScorecardCheck['history']>> {
    const out = new Map<string, ScorecardCheck['history']>();
    if (actionIds.length === 0) return out;
    const { rows } = await this.pool.query<{ run_id: string; started_at: Date; target: string; check_id: string; status: string }>(
      `SELECT r.id AS run_id, r.started_at, c->>'target' AS target, c->>'check_id' AS check_id, c->>'status' AS status
       FROM unnest($1::uuid[]) AS a(id)
       CROSS JOIN LATERAL (
         SELECT id, started_at, output FROM audit.runs WHERE action_id = a.id ORDER BY started_at DESC LIMIT ${HISTORY_RUNS}
       ) r
       CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.output->'checks', '[]'::jsonb)) c
       ORDER BY r.started_at DESC`,
      [actionIds],
    );
    for (const row of rows) {
      const key = `${row.target}\u0000${row.check_id}`;
      const list = out.get(key) ?? [];
      if (list.length < HISTORY_PER_CHECK) list.push({ run_id: row.run_id, status: row.status, started_at: row.started_at });
      out.set(key, list);
    }
    return out;
  }
}
