import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import type { ApiResult } from '../../../src/api/api-client.util';
import type { ToolsDashboard } from '../../../src/api/api-shapes.schema';
import { getFinopsDashboard, getPrivacyDashboard } from '../../../src/api/service-api.util';
import { can, canAny } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { chartSeries } from '../../../src/tools/chart-series.util';
import { MetricBarChart } from '../../../src/tools/metric-bar-chart';
import { param } from '../../../src/shell/search-params.util';
import { FilterSelect } from '../../../src/components/filter-select';

export const metadata: Metadata = { title: 'Tools' };

const WINDOWS = ['24h', '7d', '30d'] as const;

/** FinOps and Privacy dashboards of AI-agent tool calls, each shown only with its entitlement. */
export default async function ToolsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!canAny(who.entitlements, [ENTITLEMENTS.toolsCostRead, ENTITLEMENTS.toolsDataGovRead])) {
    return (
      <>
        <h1>Tools</h1>
        <NotAllowed needs="tools.cost.read or tools.data_gov.read" />
      </>
    );
  }
  const windowParam = param(await searchParams, 'window');
  const window = WINDOWS.find((w) => w === windowParam) ?? '24h';
  const ctx = serviceContext(token);
  const [finops, privacy] = await Promise.all([
    can(who.entitlements, ENTITLEMENTS.toolsCostRead) ? getFinopsDashboard(ctx, { window }).then(redirectIfUnauthorized) : null,
    can(who.entitlements, ENTITLEMENTS.toolsDataGovRead) ? getPrivacyDashboard(ctx, { window }).then(redirectIfUnauthorized) : null,
  ]);

  return (
    <>
      <h1>Tools</h1>
      <form className="filters" method="get" action="/tools" aria-label="Time window">
        <FilterSelect name="window" label="Window" options={WINDOWS} value={window} format={(w) => `last ${w}`} />
        <button type="submit" className="button">
          Apply
        </button>
      </form>
      {who.workspace_id && <p className="muted">Scoped to workspace {who.workspace_id}.</p>}
      {finops && <ToolsSection title="FinOps: cost, calls, errors and latency" result={finops} what="FinOps dashboard" />}
      {privacy && <ToolsSection title="Privacy: data volume, repeated inputs and outliers" result={privacy} what="Privacy dashboard" />}
    </>
  );
}

function ToolsSection({ title, result, what }: { title: string; result: ApiResult<ToolsDashboard>; what: string }) {
  const id = what.toLowerCase().replace(/\W+/g, '-');
  const series = result.ok ? chartSeries(result.data.rows) : null;
  return (
    <section aria-labelledby={id} className="section">
      <h2 id={id}>{title}</h2>
      {!result.ok ? (
        <ApiProblem failure={result} what={what} />
      ) : (
        <>
          <p className="muted">
            Source backend: <code data-testid="source-backend">{result.data.sourceBackend}</code>
          </p>
          {series && <MetricBarChart series={series} />}
          <DataTable caption={what} hideCaption columns={columnsOf(result.data.rows)} rows={result.data.rows} rowKey={(row) => JSON.stringify(row)} empty="No tool calls in this window." />
        </>
      )}
    </section>
  );
}

/** Columns from the keys the gateway sent, in first-seen order; numbers right-aligned. */
function columnsOf(rows: ToolsDashboard['rows']): Column<ToolsDashboard['rows'][number]>[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return keys.map((key) => ({
    key,
    header: key.replace(/_/g, ' '),
    numeric: rows.some((row) => typeof row[key] === 'number'),
    cell: (row) => {
      const value = row[key];
      return value === null || value === undefined ? '—' : typeof value === 'number' ? value.toLocaleString('en') : value;
    },
  }));
}
