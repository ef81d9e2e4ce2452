import { ENTITLEMENTS, LIFECYCLE_ACTIONS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { LifecycleEventRow } from '../../../src/api/api-views.util';
import { listLifecycleEvents } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { Time } from '../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { DemoBadge, DemoBanner } from '../../../src/shell/demo-banner';
import { isDemoRow } from '../../../src/shell/demo-data.util';
import { hrefWith, param } from '../../../src/shell/search-params.util';
import { FilterSelect } from '../../../src/components/filter-select';
import { LifecycleNav } from '../../../src/lifecycle/lifecycle-nav';
import { LIFECYCLE_RANGES, resolveTimeRange, type LifecycleRange } from '../../../src/lifecycle/time-range.util';

const RANGE_NAMES = Object.keys(LIFECYCLE_RANGES) as LifecycleRange[];

export const metadata: Metadata = { title: 'Lifecycle' };

const TEXT_FILTERS = [
  ['engine_id', 'Engine'],
  ['user_id', 'User'],
  ['product_id', 'Product'],
  ['actor', 'Actor'],
] as const;

/** The metadata keys of a row, in short (the detail page shows the values). */
function metadataKeys(metadata: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return '—';
  const shown = keys.slice(0, 4).join(', ');
  return keys.length > 4 ? `${shown}, +${keys.length - 4}` : shown;
}

/** The lifecycle event explorer: filters in the URL, keyset pages from the gateway. */
export default async function LifecyclePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.eventsRead)) {
    return (
      <>
        <h1>Lifecycle</h1>
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const params = await searchParams;
  const actionParam = param(params, 'action');
  const filters = {
    engine_id: param(params, 'engine_id', 128),
    user_id: param(params, 'user_id', 128),
    product_id: param(params, 'product_id', 128),
    actor: param(params, 'actor', 128),
    action: (LIFECYCLE_ACTIONS as readonly string[]).includes(actionParam ?? '') ? actionParam : undefined,
  };
  const time = resolveTimeRange({ range: param(params, 'range', 8), from: param(params, 'from', 32), to: param(params, 'to', 32) });
  // What the URL keeps (pager links): the quick range or the explicit bounds, not the computed instants.
  const kept = { ...filters, range: time.range, from: time.fromInput, to: time.toInput };
  const cursor = param(params, 'cursor', 500);
  const result = redirectIfUnauthorized(await listLifecycleEvents(serviceContext(token), { ...filters, from: time.from, to: time.to, cursor, limit: 50 }));

  const columns: Column<LifecycleEventRow>[] = [
    {
      key: 'ts',
      header: 'Time',
      cell: (e) => (
        <>
          <Link href={`/lifecycle/${encodeURIComponent(e.event_id)}`} aria-label={`Lifecycle event ${e.action} at ${e.ts}`}>
            <Time iso={e.ts} />
          </Link>
          {isDemoRow(e) && <DemoBadge />}
        </>
      ),
    },
    { key: 'action', header: 'Action', cell: (e) => <code>{e.action}</code> },
    { key: 'actor', header: 'Actor', cell: (e) => e.actor },
    { key: 'engine', header: 'Engine', cell: (e) => e.engine_id ?? '—' },
    { key: 'user', header: 'User', cell: (e) => e.user_id ?? '—' },
    { key: 'product', header: 'Product', cell: (e) => e.product_id ?? '—' },
    { key: 'duration', header: 'Duration', numeric: true, cell: (e) => (e.duration_ms === null ? '—' : `${e.duration_ms} ms`) },
    { key: 'metadata', header: 'Metadata', cell: (e) => metadataKeys(e.metadata) },
  ];

  return (
    <>
      <h1>Lifecycle</h1>
      {result.ok && result.data.items.some(isDemoRow) && <DemoBanner />}
      <LifecycleNav current="explorer" />
      <form className="filters" method="get" action="/lifecycle" aria-label="Filter lifecycle events">
        {TEXT_FILTERS.map(([key, label]) => (
          <div className="field" key={key}>
            <label htmlFor={`f-${key}`}>{label}</label>
            <input id={`f-${key}`} name={key} type="text" defaultValue={filters[key] ?? ''} maxLength={128} />
          </div>
        ))}
        <FilterSelect name="action" label="Action" options={LIFECYCLE_ACTIONS} value={filters.action} anyLabel="Any action" />
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
        <ApiProblem failure={result} what="lifecycle event explorer" />
      ) : (
        <>
          <DataTable caption="Lifecycle events, newest first" columns={columns} rows={result.data.items} rowKey={(e) => e.event_id} empty="No events match." />
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={hrefWith('/lifecycle', kept)}>← Newest</Link> : <span />}
            {result.data.next_cursor ? <Link href={hrefWith('/lifecycle', { ...kept, cursor: result.data.next_cursor })}>Older →</Link> : <span />}
          </nav>
        </>
      )}
    </>
  );
}
