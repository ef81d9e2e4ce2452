import type { ENGINE_ROUTES, GATEWAY_ROUTES, RouteResponse } from '@auditstack/audit-core';

/**
 * What the pages read, as the route contracts of `@auditstack/audit-core` type it: every type here
 * is a contract response (`RouteResponse<typeof ROUTE>`) or a small view of one made by a function
 * below (a card's failing count, a table row named by its group key). Nothing is re-declared: a
 * response that does not match its contract is refused by the SDK before a page sees it.
 */

type Engine = typeof ENGINE_ROUTES;
type Gateway = typeof GATEWAY_ROUTES;
type ItemOf<T> = T extends { readonly items: readonly (infer I)[] } ? I : never;

// ---------------------------------------------------------------------------
// Identity.

/** `GET /v1/whoami`. */
export type Whoami = RouteResponse<Gateway['whoami']>;

// ---------------------------------------------------------------------------
// Engine: overview and scorecards.

/** Status colour of a project: all pass → green, a warning → amber, a failure → red, nothing yet → grey. */
export const BADGES = ['green', 'amber', 'red', 'grey'] as const;
export type Badge = (typeof BADGES)[number];

/** One card of the contract's overview. */
export type ProjectCardResponse = RouteResponse<Engine['getOverview']>['projects'][number];

/** A project card as the overview shows it. */
export interface ProjectCard {
  readonly id: string;
  readonly name: string;
  /** Checks whose latest result is pass or warn. */
  readonly passed: number;
  readonly total: number;
  readonly badge: Badge;
  readonly lastAuditAt: string | null;
  /** Checks whose latest result is fail or error. */
  readonly failing: number;
  /** Why the badge is red besides failing checks (the engine's lines, at most 10): an active action whose latest run failed or errored, or that cannot be scheduled. */
  readonly reasons: readonly CardReason[];
  /** Every reason, also those not sent. */
  readonly reasonCount: number;
  /** End of the newest latest run of an active action (a run without checks too). */
  readonly lastRunAt: string | null;
  /** Daily scores, oldest first; the engine sends none yet (no sparkline then). */
  readonly trend: readonly { readonly day: string; readonly passed: number; readonly total: number }[];
}

/** One reason of a red card: the line to show and the run it rests on (null when the action cannot be scheduled). */
export interface CardReason {
  readonly actionId: string;
  readonly text: string;
  readonly runId: string | null;
}

/** The card view of a contract card (or of a scorecard's header). */
export function projectCardOf(card: Omit<ProjectCardResponse, 'description' | 'actions' | 'targets'>): ProjectCard {
  return {
    id: card.project_id,
    name: card.name,
    passed: card.score,
    total: card.total,
    badge: card.badge,
    lastAuditAt: card.last_audit_at,
    failing: card.counts.fail + card.counts.error,
    reasons: card.reasons.map((reason) => ({ actionId: reason.action_id, text: reason.text, runId: reason.run_id })),
    reasonCount: card.reason_count,
    lastRunAt: card.last_run_at,
    trend: [],
  };
}

/** `GET /v1/overview` as the page reads it: every card (the engine sends the whole list). */
export interface Overview {
  readonly projects: readonly ProjectCard[];
}

export function overviewOf(body: RouteResponse<Engine['getOverview']>): Overview {
  return { projects: body.projects.map(projectCardOf) };
}

/** One check of a scorecard. */
export type ScorecardCheck = RouteResponse<Engine['getProjectScorecard']>['checks'][number];

/** `GET /v1/projects/{id}/scorecard`: the card and its checks. */
export type Scorecard = ProjectCard & { readonly checks: readonly ScorecardCheck[] };

export function scorecardOf(body: RouteResponse<Engine['getProjectScorecard']>): Scorecard {
  return { ...projectCardOf(body), checks: body.checks };
}

// ---------------------------------------------------------------------------
// Engine: actions, runs, workbooks.

/** A project (`GET /v1/projects` item). */
export type ProjectRow = ItemOf<RouteResponse<Engine['listProjects']>>;
/** An action (`GET /v1/actions` item). */
export type ActionRow = ItemOf<RouteResponse<Engine['listActions']>>;
/** An action type with the JSON Schema of its config. */
export type ActionType = ItemOf<RouteResponse<Engine['listActionTypes']>>;
/** `GET /v1/runs`: `{items, next_cursor}`, newest first. */
export type RunPage = RouteResponse<Engine['listRuns']>;
export type RunRow = ItemOf<RunPage>;
/** `GET /v1/runs/{id}`. */
export type RunDetail = RouteResponse<Engine['getRun']>;
/** `GET /v1/workbooks` item. */
export type WorkbookSummary = ItemOf<RouteResponse<Engine['listWorkbooks']>>;
/** `GET /v1/workbooks/{name}`. */
export type WorkbookDetail = RouteResponse<Engine['getWorkbook']>;
/** One stored version (`GET /v1/workbooks/{name}/versions/{version}`, the answer of a save). */
export type WorkbookVersionRow = RouteResponse<Engine['getWorkbookVersion']>;
/** `POST /v1/workbooks/dry-run`. */
export type DryRunReport = RouteResponse<Engine['dryRunWorkbook']>;

// ---------------------------------------------------------------------------
// Gateway: lifecycle.

/** `GET /v1/lifecycle-events`. */
export type LifecycleEventPage = RouteResponse<Gateway['listLifecycleEvents']>;
export type LifecycleEventRow = ItemOf<LifecycleEventPage>;
/** `GET /v1/lifecycle/provisions`: every hour of the window in `items`, zeros included. */
export type ProvisionsReport = RouteResponse<Gateway['provisionsReport']>;
/** `GET /v1/lifecycle/auto-restart-hotspots`: engines in `items`. */
export type HotspotsReport = RouteResponse<Gateway['autoRestartHotspots']>;
/** `GET /v1/lifecycle/actors`: actors in `items`. */
export type ActorsReport = RouteResponse<Gateway['actorActivity']>;
/** `GET /v1/lifecycle/users/{user_id}/lifetime`: transitions in `items`, oldest first. */
export type UserLifetime = RouteResponse<Gateway['userLifetime']>;

/** One engine-hours row named by its group (a product or a user). */
export interface EngineHoursRow {
  readonly name: string;
  readonly engine_hours: number;
  readonly engines: number;
}

/** `GET /v1/lifecycle/engine-hours` as the page reads it. */
export interface EngineHoursReport {
  readonly groupBy: 'product' | 'user';
  readonly from: string;
  readonly to: string;
  readonly sourceBackend: string;
  readonly rows: readonly EngineHoursRow[];
}

export function engineHoursOf(body: RouteResponse<Gateway['engineHours']>): EngineHoursReport {
  return {
    groupBy: body.group_by,
    from: body.from,
    to: body.to,
    sourceBackend: body.source_backend,
    rows: body.items.map((row) => ({
      name: (body.group_by === 'product' ? row.product_id : row.user_id) ?? '(none)',
      engine_hours: row.engine_hours,
      engines: row.engines,
    })),
  };
}

// ---------------------------------------------------------------------------
// Gateway: tools.

type FinopsResponse = RouteResponse<Gateway['finopsDashboard']>;
type FinopsNumbers = Omit<FinopsResponse['by_tool'][number], 'tool'>;

/** One FinOps group (a tool, an agent, a workspace) named by its key. */
export type FinopsRow = FinopsNumbers & { readonly name: string };

/** `GET /v1/finops/dashboard` as the page reads it: one row shape for every table. */
export interface Finops {
  readonly windowHours: number;
  readonly from: string;
  readonly to: string;
  readonly workspaceScope: string | null;
  readonly currency: string;
  readonly totals: FinopsResponse['totals'];
  readonly byTool: readonly FinopsRow[];
  readonly byAgent: readonly FinopsRow[];
  readonly byWorkspace: readonly FinopsRow[];
  readonly sourceBackend: string;
  readonly complete: boolean;
}

const named = <T extends object>(name: string | null | undefined, row: T): T & { name: string } => ({ ...row, name: name ?? '(none)' });

export function finopsOf(body: FinopsResponse): Finops {
  return {
    windowHours: body.window_hours,
    from: body.from,
    to: body.to,
    workspaceScope: body.workspace_scope,
    currency: body.currency,
    totals: body.totals,
    byTool: body.by_tool.map(({ tool, ...row }) => named(tool, row)),
    byAgent: body.by_agent.map(({ agent_id, ...row }) => named(agent_id, row)),
    byWorkspace: body.by_workspace.map(({ workspace_id, ...row }) => named(workspace_id, row)),
    sourceBackend: body.source_backend,
    complete: body.complete,
  };
}

type PrivacyResponse = RouteResponse<Gateway['privacyDashboard']>;
/** One data-volume group named by its key. */
export type VolumeRow = Omit<PrivacyResponse['volume_by_tool'][number], 'tool'> & { readonly name: string };

/** `GET /v1/privacy/dashboard` as the page reads it. */
export interface Privacy {
  readonly windowHours: number;
  readonly workspaceScope: string | null;
  readonly totals: PrivacyResponse['totals'];
  readonly volumeByTool: readonly VolumeRow[];
  readonly volumeByWorkspace: readonly VolumeRow[];
  readonly repeatedInputs: PrivacyResponse['repeated_inputs'];
  readonly sizeOutliers: PrivacyResponse['size_outliers'];
  readonly eventsWithoutHash: readonly { readonly tool: string; readonly events: number; readonly calls: number }[];
  /** Always false: the gateway keeps sizes and a hash, never a payload. */
  readonly payloadsStored: false;
  readonly sourceBackend: string;
}

export function privacyOf(body: PrivacyResponse): Privacy {
  return {
    windowHours: body.window_hours,
    workspaceScope: body.workspace_scope,
    totals: body.totals,
    volumeByTool: body.volume_by_tool.map(({ tool, ...row }) => named(tool, row)),
    volumeByWorkspace: body.volume_by_workspace.map(({ workspace_id, ...row }) => named(workspace_id, row)),
    repeatedInputs: body.repeated_inputs,
    sizeOutliers: body.size_outliers,
    eventsWithoutHash: body.events_without_hash.map((row) => ({ ...row, tool: row.tool ?? '(none)' })),
    payloadsStored: body.payloads_stored,
    sourceBackend: body.source_backend,
  };
}

/** `GET /v1/admin/emergency-stop`. */
export type EmergencyStop = RouteResponse<Gateway['emergencyStopState']>;
/** `GET /v1/markers`. */
export type MarkersPage = RouteResponse<Gateway['listMarkers']>;
export type Marker = ItemOf<MarkersPage>;

// ---------------------------------------------------------------------------
// Gateway: evidence.

/** `GET /v1/evidence/checkpoints/latest`. */
export type Checkpoint = RouteResponse<Gateway['latestCheckpoint']>;
/** `GET /v1/evidence/checkpoints`: newest first, with the verifier key. */
export type CheckpointList = RouteResponse<Gateway['listCheckpoints']>;
export type CheckpointItem = ItemOf<CheckpointList>;
/** `GET /v1/evidence/status`. */
export type EvidenceStatus = RouteResponse<Gateway['evidenceStatus']>;
/** `GET /v1/evidence/entries/{seq}`. */
export type LedgerEntryAnswer = RouteResponse<Gateway['ledgerEntry']>;
