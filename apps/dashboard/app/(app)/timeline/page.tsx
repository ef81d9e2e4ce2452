import { ENTITLEMENTS, TIMELINE_DOMAINS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getTimeline, type TimelineRow } from '../../../src/api/explore-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { FilterSelect } from '../../../src/components/filter-select';
import { Time } from '../../../src/components/time';
import { LIFECYCLE_RANGES, resolveTimeRange, type LifecycleRange } from '../../../src/lifecycle/time-range.util';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { DemoBadge, DemoBanner } from '../../../src/shell/demo-banner';
import { isDemoTimelineRow } from '../../../src/shell/demo-data.util';
import { hrefWith, param } from '../../../src/shell/search-params.util';
import { detailHref, DOMAIN_LABELS, domainsFrom, TIMELINE_FILTERS, timelineHref, type TimelineFilter } from '../../../src/shell/timeline-links.util';

export const metadata: Metadata = { title: 'Timeline' };

const RANGE_NAMES = Object.keys(LIFECYCLE_RANGES) as LifecycleRange[];

/** Rows per page unless `?limit=` (1–200) says otherwise. */
const DEFAULT_PAGE_SIZE = 50;

function pageSize(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : DEFAULT_PAGE_SIZE;
}

const FILTER_LABELS: Readonly<Record<TimelineFilter, string>> = {
  engine_id: 'Engine',
  user_id: 'User',
  workspace_id: 'Workspace',
  graph_run_id: 'Graph run',
  project_id: 'Project (id)',
};

/** A row's subjects as links to the timeline filtered by each. */
function Subjects({ row }: { readonly row: TimelineRow }) {
  const entries = TIMELINE_FILTERS.flatMap((key) => {
    const value = row.subject[key];
    return value ? [[key, value] as const] : [];
  });
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {entries.map(([key, value], i) => (
        <span key={key}>
          {i > 0 && ' · '}
          <span className="muted">{FILTER_LABELS[key].replace(' (id)', '').toLowerCase()} </span>
          <Link href={timelineHref({ [key]: value })}>{value}</Link>
        </span>
      ))}
    </>
  );
}

/** Where a row is shown in full: its page, or its stored columns in place. */
function RowDetail({ row }: { readonly row: TimelineRow }) {
  const href = detailHref(row.domain, row.id);
  if (href) return <Link href={href}>Open</Link>;
  return (
    <details className="step-details">
      <summary>Show</summary>
      <pre className="note">{JSON.stringify(row.details, null, 2)}</pre>
    </details>
  );
}

const COLUMNS: Column<TimelineRow>[] = [
  {
    key: 'ts',
    header: 'Time',
    cell: (r) => (
      <>
        <Time iso={r.ts} />
        {isDemoTimelineRow(r) && <DemoBadge />}
      </>
    ),
  },
  { key: 'domain', header: 'Domain', cell: (r) => <span className={`pill pill-domain-${r.domain}`}>{DOMAIN_LABELS[r.domain]}</span> },
  { key: 'summary', header: 'What', cell: (r) => <span data-testid="timeline-summary">{r.summary}</span> },
  { key: 'subject', header: 'About', cell: (r) => <Subjects row={r} /> },
  { key: 'ledger', header: 'Ledger', numeric: true, cell: (r) => (r.ledger_seq === null ? '—' : `seq ${r.ledger_seq}`) },
  { key: 'detail', header: 'Details', cell: (r) => <RowDetail row={r} /> },
];

/**
 * One timeline of everything stored — lifecycle, tool, observability and cluster audit events,
 * gateway markers and check runs — newest first, filtered by engine, user, workspace or graph run:
 * the first place to look in an incident. Keyset pages from `GET /v1/timeline`.
 */
export default async function TimelinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.eventsRead)) {
    return (
      <>
        <h1>Timeline</h1>
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const params = await searchParams;
  const filters = Object.fromEntries(TIMELINE_FILTERS.map((key) => [key, param(params, key, 128)])) as Record<TimelineFilter, string | undefined>;
  const domains = domainsFrom(params['domains']);
  const time = resolveTimeRange({ range: param(params, 'range', 8), from: param(params, 'from', 32), to: param(params, 'to', 32) });
  const limit = pageSize(param(params, 'limit', 4));
  const kept = {
    ...filters,
    domains: domains.join(',') || undefined,
    range: time.range,
    from: time.fromInput,
    to: time.toInput,
    limit: limit === DEFAULT_PAGE_SIZE ? undefined : String(limit),
  };
  const cursor = param(params, 'cursor', 500);
  const result = redirectIfUnauthorized(
    await getTimeline(serviceContext(token), {
      ...filters,
      domains: domains.length > 0 ? domains.join(',') : undefined,
      from: time.from,
      to: time.to,
      cursor,
      limit,
    }),
  );

  return (
    <>
      <h1>Timeline</h1>
      {result.ok && result.data.items.some(isDemoTimelineRow) && <DemoBanner />}
      <p className="muted">
        Everything stored, newest first: lifecycle, tool, observability and cluster audit events, gateway markers and check runs. Filter by a subject to follow
        one engine, user, workspace or agent graph run through an incident.
      </p>
      <nav aria-label="Explorers">
        <ul className="sub-nav" role="list">
          <li>
            <a href="/timeline" aria-current="page">
              Timeline
            </a>
          </li>
          {!who.workspace_id && (
            <li>
              <a href="/lifecycle">Lifecycle events</a>
            </li>
          )}
          <li>
            <a href="/tools/events">Tool events</a>
          </li>
          {can(who.entitlements, ENTITLEMENTS.evidenceRead) && !who.workspace_id && (
            <li>
              <a href="/markers">Markers</a>
            </li>
          )}
        </ul>
      </nav>
      <form className="filters" method="get" action="/timeline" aria-label="Filter the timeline">
        {TIMELINE_FILTERS.map((key) => (
          <div className="field" key={key}>
            <label htmlFor={`f-${key}`}>{FILTER_LABELS[key]}</label>
            <input id={`f-${key}`} name={key} type="text" defaultValue={filters[key] ?? ''} maxLength={128} />
          </div>
        ))}
        <FilterSelect name="range" label="Time range" options={RANGE_NAMES} value={time.range} anyLabel="Any time" format={(r) => `last ${r}`} />
        <div className="field">
          <label htmlFor="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="datetime-local" defaultValue={time.fromInput ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To (UTC)</label>
          <input id="f-to" name="to" type="datetime-local" defaultValue={time.toInput ?? ''} />
        </div>
        <fieldset className="field field-checkbox field-group" data-testid="domain-filter">
          <legend>Domains (none ticked: all)</legend>
          {TIMELINE_DOMAINS.map((d) => (
            <label key={d} className="nowrap" style={{ marginRight: '1rem' }}>
              <input type="checkbox" name="domains" value={d} defaultChecked={domains.includes(d)} /> {DOMAIN_LABELS[d]}
            </label>
          ))}
        </fieldset>
        {kept.limit && <input type="hidden" name="limit" value={kept.limit} />}
        <button type="submit" className="button">
          Apply
        </button>
      </form>
      {time.problem && (
        <p className="notice notice-error" role="alert" data-testid="range-problem">
          {time.problem} The time filter was not applied.
        </p>
      )}
      {!result.ok ? (
        <ApiProblem failure={result} what="timeline" />
      ) : (
        <>
          <p className="muted" data-testid="timeline-domains">
            Searched: {result.data.domains.length > 0 ? result.data.domains.map((d) => DOMAIN_LABELS[d]).join(', ') : 'no domain matches these filters'}
            {result.data.workspace_scope && (
              <>
                {' '}
                · scoped to workspace <code data-testid="workspace-scope">{result.data.workspace_scope}</code>
              </>
            )}
            {result.data.complete === false && ' · some events are still spooled and not shown yet'}
          </p>
          <DataTable
            caption="Timeline, newest first"
            columns={COLUMNS}
            rows={result.data.items}
            rowKey={(r) => `${r.domain}:${r.id}`}
            empty="Nothing matches."
          />
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={hrefWith('/timeline', kept)}>← Newest</Link> : <span />}
            {result.data.next_cursor ? <Link href={hrefWith('/timeline', { ...kept, cursor: result.data.next_cursor })}>Older →</Link> : <span />}
          </nav>
        </>
      )}
    </>
  );
}
