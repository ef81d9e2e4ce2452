import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import type { FinopsRow } from '../../../src/api/api-views.util';
import { getEmergencyStop, getFinopsDashboard, getMarkers } from '../../../src/api/service-api.util';
import { can, canAny } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { BarChart } from '../../../src/components/bar-chart';
import { formatBytes, topBars } from '../../../src/components/chart-data.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { param } from '../../../src/shell/search-params.util';
import { EmergencyStopPanel } from '../../../src/tools/emergency-stop-panel';
import { GatewayMarkers } from '../../../src/tools/gateway-markers';
import { SourceLine, ToolsNav, windowFrom } from '../../../src/tools/tools-nav';

export const metadata: Metadata = { title: 'Tools · FinOps' };

const number = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits });

/** FinOps of AI-agent tool calls: cost, calls, errors and latency per tool, agent and workspace; the emergency stop and the gateway's markers. */
export default async function FinopsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  const canCost = can(who.entitlements, ENTITLEMENTS.toolsCostRead);
  const canPrivacy = can(who.entitlements, ENTITLEMENTS.toolsDataGovRead);
  if (!canAny(who.entitlements, [ENTITLEMENTS.toolsCostRead, ENTITLEMENTS.toolsDataGovRead])) {
    return (
      <>
        <h1>Tools</h1>
        <NotAllowed needs="tools.cost.read or tools.data_gov.read" />
      </>
    );
  }
  const params = await searchParams;
  const window = windowFrom(param(params, 'window'));
  const ctx = serviceContext(token);
  const isAdmin = can(who.entitlements, ENTITLEMENTS.admin);
  const [finops, stop, markers] = await Promise.all([
    canCost ? getFinopsDashboard(ctx, window).then(redirectIfUnauthorized) : null,
    isAdmin ? getEmergencyStop(ctx).then(redirectIfUnauthorized) : null,
    isAdmin ? getMarkers(ctx).then(redirectIfUnauthorized) : null,
  ]);
  const currency = finops?.ok && finops.data.currency ? ` (${finops.data.currency})` : '';

  const columns = (what: string): Column<FinopsRow>[] => [
    { key: 'name', header: what, cell: (r) => <code>{r.name}</code> },
    { key: 'cost', header: `Cost${currency}`, numeric: true, cell: (r) => number(r.cost, 4) },
    { key: 'calls', header: 'Calls', numeric: true, cell: (r) => number(r.calls) },
    { key: 'errors', header: 'Errors', numeric: true, cell: (r) => `${number(r.errors)} (${number(r.error_rate * 100, 1)}%)` },
    { key: 'denied', header: 'Denied', numeric: true, cell: (r) => number(r.denied) },
    { key: 'p50', header: 'p50 latency', numeric: true, cell: (r) => (r.p50_duration_ms === null ? '—' : `${number(r.p50_duration_ms, 1)} ms`) },
    { key: 'p95', header: 'p95 latency', numeric: true, cell: (r) => (r.p95_duration_ms === null ? '—' : `${number(r.p95_duration_ms, 1)} ms`) },
    { key: 'bytes', header: 'Data in / out', numeric: true, cell: (r) => `${formatBytes(r.bytes_in)} / ${formatBytes(r.bytes_out)}` },
  ];

  return (
    <>
      <h1>Tools</h1>
      <ToolsNav
        current="finops"
        window={window}
        finops={canCost}
        privacy={canPrivacy}
        events={can(who.entitlements, ENTITLEMENTS.eventsRead)}
        markers={can(who.entitlements, ENTITLEMENTS.evidenceRead) && !who.workspace_id}
      />
      {!finops ? (
        <p className="notice" data-testid="no-finops">
          Your token does not include <code>tools.cost.read</code>. {canPrivacy && <a href={`/tools/privacy?window=${window}`}>See the Privacy dashboard</a>}
        </p>
      ) : !finops.ok ? (
        <ApiProblem failure={finops} what="FinOps dashboard" />
      ) : (
        <>
          <h2>FinOps: cost, calls, errors and latency over the last {window}</h2>
          <SourceLine sourceBackend={finops.data.sourceBackend} complete={finops.data.complete} workspace={finops.data.workspaceScope} />
          <dl className="facts" data-testid="finops-totals">
            <div>
              <dt>Tool cost{currency}</dt>
              <dd>{number(finops.data.totals.cost, 4)}</dd>
            </div>
            <div>
              <dt>Calls</dt>
              <dd data-testid="total-calls">{number(finops.data.totals.calls)}</dd>
            </div>
            <div>
              <dt>Errors</dt>
              <dd>{number(finops.data.totals.errors)}</dd>
            </div>
            <div>
              <dt>p50 / p95 latency</dt>
              <dd>
                {number(finops.data.totals.p50_duration_ms, 1)} / {number(finops.data.totals.p95_duration_ms, 1)} ms
              </dd>
            </div>
            {finops.data.totals.engine_hours !== null && finops.data.totals.engine_hours !== undefined && (
              <div>
                <dt>Engine-hours (cost)</dt>
                <dd>
                  {number(finops.data.totals.engine_hours, 2)} ({number(finops.data.totals.engine_cost, 4)})
                </dd>
              </div>
            )}
          </dl>
          {(
            [
              ['tool', 'Tool', finops.data.byTool],
              ['agent', 'Agent', finops.data.byAgent],
              ['workspace', 'Workspace', finops.data.byWorkspace],
            ] as const
          ).map(([id, what, rows]) => (
            <section key={id} aria-labelledby={`by-${id}`} className="section">
              <h3 id={`by-${id}`}>Per {what.toLowerCase()}</h3>
              {rows.length > 0 && (
                <div className="chart-grid">
                  <BarChart
                    caption={`Cost by ${what.toLowerCase()}`}
                    data={topBars(rows, (r) => r.name, { cost: (r) => r.cost })}
                    series={[{ key: 'cost' }]}
                    testId={`chart-cost-${id}`}
                  />
                  <BarChart
                    caption={`p50 and p95 latency (ms) by ${what.toLowerCase()}`}
                    data={topBars(rows, (r) => r.name, { p95: (r) => r.p95_duration_ms, p50: (r) => r.p50_duration_ms })}
                    series={[
                      { key: 'p50', name: 'p50 ms' },
                      { key: 'p95', name: 'p95 ms' },
                    ]}
                  />
                </div>
              )}
              <DataTable
                caption={`FinOps per ${what.toLowerCase()}`}
                columns={columns(what)}
                rows={rows}
                rowKey={(r) => r.name}
                empty="No tool calls in this window."
              />
            </section>
          ))}
        </>
      )}
      <EmergencyStopPanel state={stop} outcome={param(params, 'stop', 40)} />
      <GatewayMarkers markers={markers} />
    </>
  );
}
