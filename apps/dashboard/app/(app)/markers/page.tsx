import { ENTITLEMENTS, GATEWAY_MARKERS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { Marker } from '../../../src/api/api-views.util';
import { listMarkers } from '../../../src/api/explore-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { FilterSelect } from '../../../src/components/filter-select';
import { Time } from '../../../src/components/time';
import { LIFECYCLE_RANGES, resolveTimeRange, type LifecycleRange } from '../../../src/lifecycle/time-range.util';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { hrefWith, param } from '../../../src/shell/search-params.util';
import { timelineHref } from '../../../src/shell/timeline-links.util';
import { MARKER_MEANING, markerSummary } from '../../../src/tools/gateway-markers';
import { ToolsNav } from '../../../src/tools/tools-nav';

export const metadata: Metadata = { title: 'Markers' };

const RANGE_NAMES = Object.keys(LIFECYCLE_RANGES) as LifecycleRange[];
const MARKER_KINDS = Object.values(GATEWAY_MARKERS);

/**
 * The gateway's markers explorer: what the gateway recorded about itself (storage fallbacks,
 * emergency stops, denied tool calls, quarantined spool lines…), filtered by kind and time,
 * keyset pages from `GET /v1/markers`. Markers are fleet-wide: unscoped `evidence.read`.
 */
export default async function MarkersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  const views = {
    finops: can(who.entitlements, ENTITLEMENTS.toolsCostRead),
    privacy: can(who.entitlements, ENTITLEMENTS.toolsDataGovRead),
    events: can(who.entitlements, ENTITLEMENTS.eventsRead),
    markers: can(who.entitlements, ENTITLEMENTS.evidenceRead) && !who.workspace_id,
  };
  if (!views.markers) {
    return (
      <>
        <h1>Markers</h1>
        <NotAllowed needs={who.workspace_id ? 'evidence.read without a workspace scope' : 'evidence.read'} />
      </>
    );
  }
  const params = await searchParams;
  const kindParam = param(params, 'marker', 64);
  const marker = (MARKER_KINDS as readonly string[]).includes(kindParam ?? '') ? kindParam : undefined;
  const time = resolveTimeRange({ range: param(params, 'range', 8), from: param(params, 'from', 32), to: param(params, 'to', 32) });
  const kept = { marker, range: time.range, from: time.fromInput, to: time.toInput };
  const cursor = param(params, 'cursor', 500);
  const result = redirectIfUnauthorized(await listMarkers(serviceContext(token), { marker, from: time.from, to: time.to, cursor, limit: 50 }));

  const columns: Column<Marker>[] = [
    { key: 'ts', header: 'When', cell: (m) => <Time iso={m.ts} /> },
    { key: 'marker', header: 'What', cell: (m) => <span title={m.marker}>{MARKER_MEANING[m.marker] ?? m.marker}</span> },
    { key: 'summary', header: 'Summary', cell: (m) => markerSummary(m).slice(0, 200) },
    {
      key: 'workspace',
      header: 'Workspace',
      cell: (m) => {
        const ws = m.details['workspace_id'];
        return typeof ws === 'string' && ws ? <Link href={timelineHref({ workspace_id: ws })}>{ws}</Link> : '—';
      },
    },
    { key: 'ledger', header: 'Ledger', numeric: true, cell: (m) => (m.ledger_seq === null ? '—' : `seq ${m.ledger_seq}`) },
    {
      key: 'details',
      header: 'Details',
      cell: (m) => (
        <details className="step-details">
          <summary>Show</summary>
          <pre className="note">{JSON.stringify(m.details, null, 2)}</pre>
        </details>
      ),
    },
  ];

  return (
    <>
      <h1>Markers</h1>
      <ToolsNav current="markers" {...views} />
      <p className="muted">Facts the gateway recorded about itself, newest first; each one is a ledger leaf.</p>
      <form className="filters" method="get" action="/markers" aria-label="Filter markers">
        <FilterSelect name="marker" label="Kind" options={MARKER_KINDS} value={marker} anyLabel="Any kind" format={(k) => MARKER_MEANING[k] ?? k} />
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
        <ApiProblem failure={result} what="markers explorer" />
      ) : (
        <>
          <DataTable caption="Gateway markers, newest first" columns={columns} rows={result.data.items} rowKey={(m) => m.id} empty="No markers match." />
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={hrefWith('/markers', kept)}>← Newest</Link> : <span />}
            {result.data.next_cursor ? <Link href={hrefWith('/markers', { ...kept, cursor: result.data.next_cursor })}>Older →</Link> : <span />}
          </nav>
        </>
      )}
    </>
  );
}
