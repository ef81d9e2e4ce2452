import { LEDGER_KINDS, type TimelineDomain } from '@auditstack/audit-core';

/** The timeline's subject filters. */
export const TIMELINE_SUBJECTS = ['engine_id', 'user_id', 'workspace_id', 'graph_run_id', 'project_id'] as const;
export type TimelineSubject = (typeof TIMELINE_SUBJECTS)[number];

/** A stored row as `pg` returns it. */
export type SourceRow = Record<string, unknown>;

/** How one domain's table takes part in the timeline. */
export interface TimelineSource {
  readonly domain: TimelineDomain;
  /** The table (schema-qualified). */
  readonly table: string;
  /** Its time column (indexed, alone or after each subject column). */
  readonly ts: string;
  /** Its id column (a uuid): the last part of the sort key. */
  readonly id: string;
  /** The select list: the row's columns as `details` shows them. */
  readonly columns: string;
  /** Which subject filters apply to this domain, and the SQL expression each compares. A filter not listed excludes the domain. */
  readonly subjects: Partial<Readonly<Record<TimelineSubject, string>>>;
  /**
   * Without any subject filter, read the table as one index scan per value
   * of this column, merged (`UNION ALL`): the table has a `(column, ts)`
   * index but none on `ts` alone.
   */
  readonly splitWithoutSubject?: { readonly column: string; readonly values: readonly string[] };
  /** One line for people from identifiers and codes (never a metadata or attribute value). */
  summary(row: SourceRow): string;
}

// Bounded, control-free text of a column for a summary line (ids are already bounded at ingest; this is defence in depth).
function t(value: unknown, fallback = '?'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const text = String(value).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > 64 ? `${text.slice(0, 63)}…` : text;
}

const ms = (value: unknown): string => (typeof value === 'number' ? ` (${value} ms)` : '');

/** The run statuses (`audit.runs.status` CHECK). */
const RUN_STATUSES = ['pass', 'fail', 'error'] as const;

/**
 * The six domains. Indexes each subject filter uses: lifecycle (engine_id, ts)
 * and (user_id, ts); tool (workspace_id, ts), (agent_id, ts); observability
 * (engine_id, ts); cluster (username, ts); runs (project_id, ts) and
 * (status, started_at); markers (marker, ts) only (a low-volume table).
 */
export const TIMELINE_SOURCES: readonly TimelineSource[] = [
  {
    domain: LEDGER_KINDS.lifecycle,
    table: 'audit.lifecycle_events',
    ts: 'ts',
    id: 'event_id',
    columns: '*',
    subjects: { engine_id: 'engine_id', user_id: 'user_id' },
    summary: (r) =>
      `${t(r['action'])}${r['engine_id'] ? ` · engine ${t(r['engine_id'])}` : ''}${r['user_id'] ? ` · user ${t(r['user_id'])}` : ''}${r['product_id'] ? ` · product ${t(r['product_id'])}` : ''} · by ${t(r['actor'])}${ms(r['duration_ms'])}`,
  },
  {
    domain: LEDGER_KINDS.tool,
    table: 'audit.tool_events',
    ts: 'ts',
    id: 'event_id',
    columns: '*',
    subjects: { user_id: 'user_id', workspace_id: 'workspace_id', graph_run_id: 'graph_run_id' },
    summary: (r) => `${t(r['agent_id'])} → ${t(r['tool'])}.${t(r['action'])}: ${t(r['status'])}${ms(r['duration_ms'])} · workspace ${t(r['workspace_id'])}`,
  },
  {
    domain: LEDGER_KINDS.observability,
    table: 'audit.observability_events',
    ts: 'ts',
    id: 'event_id',
    columns: '*',
    subjects: { engine_id: 'engine_id' },
    summary: (r) =>
      `${t(r['service_name'] ?? r['scope_name'], 'engine')}: ${t(r['event_name'] ?? r['severity_text'], 'log record')}${r['engine_id'] ? ` · engine ${t(r['engine_id'])}` : ''}`,
  },
  {
    domain: LEDGER_KINDS.cluster,
    table: 'audit.cluster_audit_events',
    ts: 'ts',
    id: 'event_id',
    columns: '*',
    subjects: { user_id: 'username' },
    summary: (r) => {
      const what = [r['resource'] ? `${t(r['resource'])}${r['subresource'] ? `/${t(r['subresource'])}` : ''}` : null, r['name'] ? t(r['name']) : null]
        .filter(Boolean)
        .join(' ');
      const where = r['namespace'] ? ` in ${t(r['namespace'])}` : '';
      const code = r['response_code'] === null || r['response_code'] === undefined ? '' : ` → ${t(r['response_code'])}`;
      return `${t(r['username'], 'anonymous')} ${t(r['verb'])} ${what || t(r['request_uri'])}${where}${code} (${t(r['stage'])})`;
    },
  },
  {
    domain: LEDGER_KINDS.marker,
    table: 'audit.gateway_markers',
    ts: 'ts',
    id: 'id',
    columns: '*',
    subjects: { workspace_id: `details->>'workspace_id'`, graph_run_id: `details->>'graph_run_id'` },
    summary: (r) => {
      const d = (r['details'] ?? {}) as Record<string, unknown>;
      const call = d['agent_id'] || d['tool'] ? `: ${t(d['agent_id'])} → ${t(d['tool'])}.${t(d['action'])}` : '';
      return `${t(r['marker'])}${call}${d['workspace_id'] ? ` · workspace ${t(d['workspace_id'])}` : ''}`;
    },
  },
  {
    domain: LEDGER_KINDS.run,
    table: 'audit.runs',
    ts: 'started_at',
    id: 'id',
    // Not `output`: per-check evidence can be large; the engine's GET /v1/runs/{id} has it.
    columns: 'id, project_id, action_id, action_type, job_id, trigger, status, message, scheduled_at, started_at, finished_at, duration_ms, ledger_seq',
    subjects: { project_id: 'project_id' },
    splitWithoutSubject: { column: 'status', values: RUN_STATUSES },
    summary: (r) => `${t(r['action_type'])} run (${t(r['trigger'])}): ${t(r['status'])}${ms(r['duration_ms'])}`,
  },
];

/** The subjects a row belongs to, as the timeline shows them (only those of its domain that are set). */
export function subjectOf(source: TimelineSource, row: SourceRow): Partial<Record<TimelineSubject, string>> {
  const subject: Partial<Record<TimelineSubject, string>> = {};
  const details = (row['details'] ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(source.subjects) as TimelineSubject[]) {
    const column = source.subjects[key]!;
    const jsonKey = /^details->>'([a-z_]+)'$/.exec(column)?.[1];
    const value = jsonKey ? details[jsonKey] : row[column];
    if (typeof value === 'string' && value !== '') subject[key] = value;
  }
  return subject;
}
