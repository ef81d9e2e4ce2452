import { ENTITLEMENTS, TOOL_EVENT_STATUSES } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { listToolEvents, type ToolEventRow } from '../../../../src/api/explore-api.util';
import { can, canAny } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { formatBytes } from '../../../../src/components/chart-data.util';
import { DataTable, type Column } from '../../../../src/components/data-table';
import { FilterSelect } from '../../../../src/components/filter-select';
import { Time } from '../../../../src/components/time';
import { LIFECYCLE_RANGES, resolveTimeRange, type LifecycleRange } from '../../../../src/lifecycle/time-range.util';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { DemoBadge, DemoBanner } from '../../../../src/shell/demo-banner';
import { isDemoRow } from '../../../../src/shell/demo-data.util';
import { hrefWith, param } from '../../../../src/shell/search-params.util';
import { timelineHref } from '../../../../src/shell/timeline-links.util';
import { SourceLine, ToolsNav } from '../../../../src/tools/tools-nav';

export const metadata: Metadata = { title: 'Tools · Tool events' };

const RANGE_NAMES = Object.keys(LIFECYCLE_RANGES) as LifecycleRange[];

const TEXT_FILTERS = [
  ['agent_id', 'Agent'],
  ['workspace_id', 'Workspace'],
  ['graph_run_id', 'Graph run'],
  ['tool', 'Tool'],
  ['status', 'Status'],
] as const;

/** The tool-event explorer: every stored tool call (sizes and hashes, never payloads), filtered in the URL, keyset pages from the gateway. */
export default async function ToolEventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  const views = {
    finops: can(who.entitlements, ENTITLEMENTS.toolsCostRead),
    privacy: can(who.entitlements, ENTITLEMENTS.toolsDataGovRead),
    events: can(who.entitlements, ENTITLEMENTS.eventsRead),
    markers: can(who.entitlements, ENTITLEMENTS.evidenceRead) && !who.workspace_id,
  };
  if (!views.events) {
    return (
      <>
        <h1>Tool events</h1>
        {canAny(who.entitlements, [ENTITLEMENTS.toolsCostRead, ENTITLEMENTS.toolsDataGovRead]) && <ToolsNav current="events" {...views} />}
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const params = await searchParams;
  const filters = {
    agent_id: param(params, 'agent_id', 128),
    workspace_id: param(params, 'workspace_id', 128),
    graph_run_id: param(params, 'graph_run_id', 128),
    tool: param(params, 'tool', 128),
    status: param(params, 'status', 32),
  };
  const time = resolveTimeRange({ range: param(params, 'range', 8), from: param(params, 'from', 32), to: param(params, 'to', 32) });
  const kept = { ...filters, range: time.range, from: time.fromInput, to: time.toInput };
  const cursor = param(params, 'cursor', 500);
  const result = redirectIfUnauthorized(await listToolEvents(serviceContext(token), { ...filters, from: time.from, to: time.to, cursor, limit: 50 }));

  const columns: Column<ToolEventRow>[] = [
    {
      key: 'ts',
      header: 'Time',
      cell: (e) => (
        <>
          <Link href={`/tools/events/${encodeURIComponent(e.event_id)}`} aria-label={`Tool event ${e.tool}.${e.action} at ${e.ts}`}>
            <Time iso={e.ts} />
          </Link>
          {isDemoRow(e) && <DemoBadge />}
        </>
      ),
    },
    { key: 'call', header: 'Call', cell: (e) => <code className="nowrap">{`${e.tool}.${e.action}`}</code> },
    { key: 'status', header: 'Status', cell: (e) => <span className={`pill pill-${e.status === 'ok' ? 'pass' : 'fail'}`}>{e.status}</span> },
    {
      key: 'agent',
      header: 'Agent',
      cell: (e) => <Link href={hrefWith('/tools/events', { ...kept, cursor: undefined, agent_id: e.agent_id })}>{e.agent_id}</Link>,
    },
    { key: 'workspace', header: 'Workspace', cell: (e) => e.workspace_id },
    {
      key: 'graph',
      header: 'Graph run',
      cell: (e) => (e.graph_run_id ? <Link href={timelineHref({ graph_run_id: e.graph_run_id })}>{e.graph_run_id}</Link> : '—'),
    },
    { key: 'duration', header: 'Duration', numeric: true, cell: (e) => `${e.duration_ms} ms` },
    { key: 'sizes', header: 'In / out', numeric: true, cell: (e) => `${formatBytes(e.in_size)} / ${formatBytes(e.out_size)}` },
  ];

  return (
    <>
      <h1>Tool events</h1>
      {result.ok && result.data.items.some(isDemoRow) && <DemoBanner />}
      <ToolsNav current="events" {...views} />
      <form className="filters" method="get" action="/tools/events" aria-label="Filter tool events">
        {TEXT_FILTERS.map(([key, label]) => (
          <div className="field" key={key}>
            <label htmlFor={`f-${key}`}>{label}</label>
            <input
              id={`f-${key}`}
              name={key}
              type="text"
              defaultValue={filters[key] ?? ''}
              maxLength={key === 'status' ? 32 : 128}
              list={key === 'status' ? 'tool-statuses' : undefined}
            />
          </div>
        ))}
        <datalist id="tool-statuses">
          {TOOL_EVENT_STATUSES.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <FilterSelect name="range" label="Time range" options={RANGE_NAMES} value={time.range} anyLabel="Any time" format={(r) => `last ${r}`} />
        <div className="field">
          <label htmlFor="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="datetime-local" defaultValue={time.fromInput ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To (UTC)</label>
          <input id="f-to" name="to" type="datetime-local" defaultValue={time.toInput ?? ''} />
        </div>
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
        <ApiProblem failure={result} what="tool event explorer" />
      ) : (
        <>
          <SourceLine sourceBackend={result.data.source_backend} complete={result.data.complete} workspace={result.data.workspace_scope} />
          <DataTable caption="Tool events, newest first" columns={columns} rows={result.data.items} rowKey={(e) => e.event_id} empty="No tool events match." />
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={hrefWith('/tools/events', kept)}>← Newest</Link> : <span />}
            {result.data.next_cursor ? <Link href={hrefWith('/tools/events', { ...kept, cursor: result.data.next_cursor })}>Older →</Link> : <span />}
          </nav>
        </>
      )}
    </>
  );
}
