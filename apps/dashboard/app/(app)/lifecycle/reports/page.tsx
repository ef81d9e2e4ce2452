import { ENTITLEMENTS, IdentifierSchema } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ActorsReport, EngineHoursReport, HotspotsReport } from '../../../../src/api/api-views.util';
import { getActorsReport, getEngineHoursReport, getHotspotsReport, getProvisionsReport, getUserLifetime } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { BarChart } from '../../../../src/components/bar-chart';
import { actorBars, hourlyBars, topBars } from '../../../../src/components/chart-data.util';
import { DataTable, type Column } from '../../../../src/components/data-table';
import { FilterSelect } from '../../../../src/components/filter-select';
import { Time } from '../../../../src/components/time';
import { LifecycleNav } from '../../../../src/lifecycle/lifecycle-nav';
import { LIFECYCLE_RANGES, type LifecycleRange } from '../../../../src/lifecycle/time-range.util';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { hrefWith, param } from '../../../../src/shell/search-params.util';

export const metadata: Metadata = { title: 'Lifecycle reports' };

/** Report windows: the provisions chart has one bar per hour, so 30 days is the longest. */
const WINDOWS = ['24h', '7d', '30d'] as const satisfies readonly LifecycleRange[];
const GROUPS = ['product', 'user'] as const;

const hotspotColumns: Column<HotspotsReport['items'][number]>[] = [
  { key: 'engine', header: 'Engine', cell: (r) => <Link href={hrefWith('/lifecycle', { engine_id: r.engine_id })}>{r.engine_id}</Link> },
  { key: 'product', header: 'Product', cell: (r) => r.product_id ?? '—' },
  { key: 'restarts', header: 'Restarts', numeric: true, cell: (r) => r.restarts },
  { key: 'successes', header: 'Succeeded', numeric: true, cell: (r) => r.successes },
  { key: 'failures', header: 'Failed', numeric: true, cell: (r) => r.failures },
  { key: 'gave_up', header: 'Gave up', numeric: true, cell: (r) => r.gave_up },
  { key: 'last', header: 'Last', cell: (r) => <Time iso={r.last_at} /> },
];

const actorColumns: Column<ActorsReport['items'][number]>[] = [
  { key: 'actor', header: 'Actor', cell: (r) => <Link href={hrefWith('/lifecycle', { actor: r.actor })}>{r.actor}</Link> },
  { key: 'events', header: 'Events', numeric: true, cell: (r) => r.events.toLocaleString('en') },
  {
    key: 'actions',
    header: 'By action',
    cell: (r) =>
      Object.entries(r.by_action)
        .sort((a, b) => b[1] - a[1])
        .map(([action, n]) => `${action} ${n}`)
        .join(', '),
  },
  { key: 'last', header: 'Last', cell: (r) => <Time iso={r.last_at} /> },
];

const hoursColumns = (group: string): Column<EngineHoursReport['rows'][number]>[] => [
  { key: 'name', header: group === 'user' ? 'User' : 'Product', cell: (r) => r.name },
  { key: 'hours', header: 'Engine-hours', numeric: true, cell: (r) => r.engine_hours.toLocaleString('en', { maximumFractionDigits: 2 }) },
  { key: 'engines', header: 'Engines', numeric: true, cell: (r) => r.engines },
];

/** The five canned lifecycle reports of the gateway, each a chart and a table. */
export default async function LifecycleReportsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.eventsRead)) {
    return (
      <>
        <h1>Lifecycle reports</h1>
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const params = await searchParams;
  const window = WINDOWS.find((w) => w === param(params, 'window')) ?? '24h';
  const hours = LIFECYCLE_RANGES[window];
  const groupBy = GROUPS.find((g) => g === param(params, 'group_by')) ?? 'product';
  const userParam = param(params, 'user_id', 128);
  const userId = userParam && IdentifierSchema.safeParse(userParam).success ? userParam : undefined;
  const now = new Date();
  const ctx = serviceContext(token);
  const [provisions, hotspots, actors, engineHours, lifetime] = await Promise.all([
    getProvisionsReport(ctx, hours).then(redirectIfUnauthorized),
    getHotspotsReport(ctx, hours).then(redirectIfUnauthorized),
    getActorsReport(ctx, hours).then(redirectIfUnauthorized),
    getEngineHoursReport(ctx, { group_by: groupBy, from: new Date(now.getTime() - hours * 3_600_000).toISOString(), to: now.toISOString() }).then(
      redirectIfUnauthorized,
    ),
    userId ? getUserLifetime(ctx, userId).then(redirectIfUnauthorized) : null,
  ]);
  const actorChart = actors.ok ? actorBars(actors.data.items) : null;

  return (
    <>
      <h1>Lifecycle reports</h1>
      <LifecycleNav current="reports" />
      <form className="filters" method="get" action="/lifecycle/reports" aria-label="Report window">
        <FilterSelect name="window" label="Window" options={WINDOWS} value={window} format={(w) => `last ${w}`} />
        <FilterSelect name="group_by" label="Engine-hours per" options={GROUPS} value={groupBy} />
        {userId && <input type="hidden" name="user_id" value={userId} />}
        <button type="submit" className="button">
          Apply
        </button>
      </form>

      <section aria-labelledby="provisions-heading" className="section">
        <h2 id="provisions-heading">Provisions per hour</h2>
        {!provisions.ok ? (
          <ApiProblem failure={provisions} what="provisions report" />
        ) : (
          <>
            <p data-testid="provisions-last-hour">
              <strong>{provisions.data.last_hour.toLocaleString('en')}</strong> provisions in the last hour.
            </p>
            <BarChart
              caption={`Provisions and denied provisions per hour, last ${window} (hours in your time zone)`}
              data={hourlyBars(provisions.data.items)}
              series={[
                { key: 'provisions', name: 'provisions' },
                { key: 'denied', name: 'denied' },
              ]}
              layout="columns"
              stacked
              timeLabels
              testId="chart-provisions"
            />
            <DataTable
              caption="Hours with provisions"
              columns={[
                { key: 'hour', header: 'Hour', cell: (r) => <Time iso={r.hour} /> },
                { key: 'provisions', header: 'Provisions', numeric: true, cell: (r) => r.provisions },
                { key: 'denied', header: 'Denied', numeric: true, cell: (r) => r.denied },
              ]}
              rows={provisions.data.items.filter((h) => h.provisions + h.denied > 0).reverse()}
              rowKey={(r) => r.hour}
              empty="No provisions in this window."
            />
          </>
        )}
      </section>

      <section aria-labelledby="hotspots-heading" className="section">
        <h2 id="hotspots-heading">Auto-restart hot spots</h2>
        {!hotspots.ok ? (
          <ApiProblem failure={hotspots} what="auto-restart report" />
        ) : (
          <>
            {hotspots.data.items.length > 0 && (
              <BarChart
                caption="Automatic restarts by engine"
                data={topBars(hotspots.data.items, (r) => r.engine_id, { restarts: (r) => r.restarts, failures: (r) => r.failures + r.gave_up })}
                series={[
                  { key: 'restarts', name: 'restarts' },
                  { key: 'failures', name: 'failed or gave up' },
                ]}
              />
            )}
            <DataTable
              caption="Engines with the most automatic restarts"
              columns={hotspotColumns}
              rows={hotspots.data.items}
              rowKey={(r) => r.engine_id}
              empty="No automatic restarts in this window."
            />
          </>
        )}
      </section>

      <section aria-labelledby="actors-heading" className="section">
        <h2 id="actors-heading">Activity by actor</h2>
        {!actors.ok ? (
          <ApiProblem failure={actors} what="activity report" />
        ) : (
          <>
            {actorChart && actorChart.data.length > 0 && (
              <BarChart
                caption="Events per actor, by action"
                data={actorChart.data}
                series={actorChart.keys.map((key) => ({ key }))}
                stacked
                testId="chart-actors"
              />
            )}
            <DataTable caption="Activity by actor" columns={actorColumns} rows={actors.data.items} rowKey={(r) => r.actor} empty="No events in this window." />
          </>
        )}
      </section>

      <section aria-labelledby="lifetime-heading" className="section">
        <h2 id="lifetime-heading">One user&apos;s lifetime</h2>
        <form className="filters" method="get" action="/lifecycle/reports" aria-label="User lifetime">
          <input type="hidden" name="window" value={window} />
          <input type="hidden" name="group_by" value={groupBy} />
          <div className="field">
            <label htmlFor="lifetime-user">User</label>
            <input id="lifetime-user" name="user_id" type="text" maxLength={128} defaultValue={userId ?? ''} required />
          </div>
          <button type="submit" className="button">
            Show timeline
          </button>
        </form>
        {userParam && !userId && (
          <p className="notice notice-error" role="alert">
            That is not a user id: up to 128 letters, digits and <code>. _ : / -</code>, starting with a letter or digit.
          </p>
        )}
        {lifetime && !lifetime.ok && <ApiProblem failure={lifetime} what="user lifetime" />}
        {lifetime?.ok &&
          (lifetime.data.items.length === 0 ? (
            <p className="muted" data-testid="lifetime-empty">
              No lifecycle events for user <code>{lifetime.data.user_id}</code>.
            </p>
          ) : (
            <>
              <p>
                First provision <Time iso={lifetime.data.first_provision_at} fallback="never" />, destroyed{' '}
                <Time iso={lifetime.data.destroyed_at} fallback="not yet" />, engines: {lifetime.data.engines.join(', ') || '—'}.
                {lifetime.data.truncated && ' Only the first 500 transitions are shown.'}
              </p>
              <ol className="timeline" data-testid="lifetime">
                {lifetime.data.items.map((t, i) => (
                  <li key={t.event_id ?? `${t.ts}-${i}`}>
                    <Time iso={t.ts} /> <code>{t.action}</code> by {t.actor || '—'}
                    {t.engine_id && <> on {t.engine_id}</>}
                    {t.duration_ms !== null && <span className="muted"> ({t.duration_ms} ms)</span>}
                  </li>
                ))}
              </ol>
            </>
          ))}
      </section>

      <section aria-labelledby="hours-heading" className="section">
        <h2 id="hours-heading">Engine-hours per {groupBy}</h2>
        {!engineHours.ok ? (
          <ApiProblem failure={engineHours} what="engine-hours report" />
        ) : (
          <>
            {engineHours.data.rows.length > 0 && (
              <BarChart
                caption={`Engine-hours per ${groupBy}, last ${window}`}
                data={topBars(engineHours.data.rows, (r) => r.name, { engine_hours: (r) => r.engine_hours })}
                series={[{ key: 'engine_hours', name: 'engine-hours' }]}
              />
            )}
            <DataTable
              caption={`Engine-hours per ${groupBy}`}
              columns={hoursColumns(groupBy)}
              rows={engineHours.data.rows}
              rowKey={(r) => r.name}
              empty="No engine ran in this window."
            />
          </>
        )}
      </section>
    </>
  );
}
