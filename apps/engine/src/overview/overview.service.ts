import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CheckStatus, ENGINE_ROUTES, RouteResult } from '@auditstack/audit-core';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG } from '../database/engine-pg.util';
import { EngineError } from '../engine.errors';

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

export interface ProjectCard extends ScoreSummary {
  project_id: string;
  name: string;
  description: string;
  actions: { active: number; paused: number };
  targets: string[];
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

  /** The cards from one grouped query over `check_results` and one over `actions`. */
  private async loadOverview(): Promise<ProjectCard[]> {
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
         -- Results of a deleted action no longer count.
         WHERE EXISTS (SELECT 1 FROM audit.actions a WHERE a.id = cr.action_id)
         GROUP BY project_id
       ) c ON c.project_id = p.id
       LEFT JOIN (
         SELECT project_id, count(*) FILTER (WHERE status = 'active') AS active, count(*) FILTER (WHERE status = 'paused') AS paused
         FROM audit.actions GROUP BY project_id
       ) a ON a.project_id = p.id
       ORDER BY p.name`,
    );
    return rows.map((r) => ({
      project_id: r.id,
      name: r.name,
      description: r.description,
      ...summarise({ pass: r.pass, warn: r.warn, fail: r.fail, error: r.error }, r.last_audit_at),
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
       WHERE project_id = $1 AND ($2::text IS NULL OR target = $2) AND EXISTS (SELECT 1 FROM audit.actions a WHERE a.id = cr.action_id)
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
    return {
      project_id: projectId,
      name: project.rows[0].name,
      target: target ?? null,
      ...summarise(counts, last),
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
