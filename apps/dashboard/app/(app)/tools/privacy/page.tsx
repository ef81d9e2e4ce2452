import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import type { Privacy } from '../../../../src/api/api-views.util';
import { getPrivacyDashboard } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { BarChart } from '../../../../src/components/bar-chart';
import { formatBytes, topBars } from '../../../../src/components/chart-data.util';
import { DataTable, type Column } from '../../../../src/components/data-table';
import { Time } from '../../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { param } from '../../../../src/shell/search-params.util';
import { SourceLine, ToolsNav, windowFrom } from '../../../../src/tools/tools-nav';

export const metadata: Metadata = { title: 'Tools · Privacy' };

type Volume = Privacy['volumeByTool'][number];
type Repeated = Privacy['repeatedInputs'][number];
type Outlier = Privacy['sizeOutliers']['events'][number];

const volumeColumns = (what: string): Column<Volume>[] => [
  { key: 'name', header: what, cell: (r) => <code>{r.name}</code> },
  { key: 'calls', header: 'Calls', numeric: true, cell: (r) => r.calls.toLocaleString('en') },
  { key: 'in', header: 'Data in', numeric: true, cell: (r) => formatBytes(r.bytes_in) },
  { key: 'out', header: 'Data out', numeric: true, cell: (r) => formatBytes(r.bytes_out) },
  { key: 'without', header: 'Without input hash', numeric: true, cell: (r) => r.without_hash.toLocaleString('en') },
];

const repeatedColumns: Column<Repeated>[] = [
  { key: 'hash', header: 'Input hash', cell: (r) => <code className="hash" title={r.input_hash}>{`${r.input_hash.slice(0, 16)}…`}</code> },
  { key: 'calls', header: 'Calls', numeric: true, cell: (r) => r.calls.toLocaleString('en') },
  { key: 'tools', header: 'Tools', cell: (r) => r.tools.join(', ') },
  { key: 'agents', header: 'Agents', numeric: true, cell: (r) => r.agents },
  { key: 'workspaces', header: 'Workspaces', numeric: true, cell: (r) => r.workspaces },
  { key: 'last', header: 'Last seen', cell: (r) => <Time iso={r.last_at} /> },
];

const outlierColumns: Column<Outlier>[] = [
  { key: 'ts', header: 'Time', cell: (r) => <Time iso={r.ts} /> },
  { key: 'tool', header: 'Tool', cell: (r) => <code>{r.tool}</code> },
  { key: 'agent', header: 'Agent', cell: (r) => r.agent_id ?? '—' },
  { key: 'workspace', header: 'Workspace', cell: (r) => r.workspace_id ?? '—' },
  { key: 'in', header: 'In (tool median)', numeric: true, cell: (r) => `${formatBytes(r.in_size)} (${formatBytes(r.tool_median_in)})` },
  { key: 'out', header: 'Out (tool median)', numeric: true, cell: (r) => `${formatBytes(r.out_size)} (${formatBytes(r.tool_median_out)})` },
];

/** Data governance of AI-agent tool calls: volumes, repeated inputs, size outliers, events without hash. */
export default async function PrivacyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.toolsDataGovRead)) {
    return (
      <>
        <h1>Tools</h1>
        <NotAllowed needs="tools.data_gov.read" />
      </>
    );
  }
  const window = windowFrom(param(await searchParams, 'window'));
  const result = redirectIfUnauthorized(await getPrivacyDashboard(serviceContext(token), window));
  return (
    <>
      <h1>Tools</h1>
      <ToolsNav
        current="privacy"
        window={window}
        finops={can(who.entitlements, ENTITLEMENTS.toolsCostRead)}
        privacy
        events={can(who.entitlements, ENTITLEMENTS.eventsRead)}
        markers={can(who.entitlements, ENTITLEMENTS.evidenceRead) && !who.workspace_id}
      />
      {!result.ok ? (
        <ApiProblem failure={result} what="Privacy dashboard" />
      ) : (
        <>
          <h2>Privacy: data volume, repeated inputs and outliers over the last {window}</h2>
          <SourceLine sourceBackend={result.data.sourceBackend} workspace={result.data.workspaceScope} />
          <dl className="facts" data-testid="privacy-totals">
            <div>
              <dt>Calls</dt>
              <dd>{result.data.totals.calls.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Data in / out</dt>
              <dd>
                {formatBytes(result.data.totals.bytes_in)} / {formatBytes(result.data.totals.bytes_out)}
              </dd>
            </div>
            <div>
              <dt>Events without input hash</dt>
              <dd data-testid="without-hash">{result.data.totals.without_hash.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Payloads stored</dt>
              <dd>none: only sizes and a SHA-256 of the input are kept</dd>
            </div>
          </dl>

          <section aria-labelledby="volume-heading" className="section">
            <h3 id="volume-heading">Data volume</h3>
            {result.data.volumeByTool.length > 0 && (
              <BarChart
                caption="Bytes in and out by tool"
                data={topBars(result.data.volumeByTool, (r) => r.name, { bytes_in: (r) => r.bytes_in, bytes_out: (r) => r.bytes_out })}
                series={[
                  { key: 'bytes_in', name: 'bytes in' },
                  { key: 'bytes_out', name: 'bytes out' },
                ]}
                stacked
              />
            )}
            <DataTable
              caption="Data volume per tool"
              columns={volumeColumns('Tool')}
              rows={result.data.volumeByTool}
              rowKey={(r) => r.name}
              empty="No tool calls in this window."
            />
            <DataTable
              caption="Data volume per workspace"
              columns={volumeColumns('Workspace')}
              rows={result.data.volumeByWorkspace}
              rowKey={(r) => r.name}
              empty="No tool calls in this window."
            />
          </section>

          <section aria-labelledby="repeated-heading" className="section">
            <h3 id="repeated-heading">Repeated inputs</h3>
            <p className="muted">The same input hash sent more than once: a cache opportunity, or a loop.</p>
            <DataTable
              caption="Repeated inputs"
              hideCaption
              columns={repeatedColumns}
              rows={result.data.repeatedInputs}
              rowKey={(r) => r.input_hash}
              empty="No input was repeated in this window."
            />
          </section>

          <section aria-labelledby="outliers-heading" className="section">
            <h3 id="outliers-heading">Size outliers</h3>
            <p className="muted">{result.data.sizeOutliers.rule || 'Calls far larger than their tool usually sends or receives.'}</p>
            <DataTable
              caption="Size outliers"
              hideCaption
              columns={outlierColumns}
              rows={result.data.sizeOutliers.events}
              rowKey={(r) => r.event_id}
              empty="No outliers in this window."
            />
          </section>

          <section aria-labelledby="nohash-heading" className="section">
            <h3 id="nohash-heading">Events without hash</h3>
            <DataTable
              caption="Events without an input hash, per tool"
              hideCaption
              columns={[
                { key: 'tool', header: 'Tool', cell: (r) => <code>{r.tool}</code> },
                { key: 'events', header: 'Without hash', numeric: true, cell: (r) => r.events.toLocaleString('en') },
                { key: 'calls', header: 'Of calls', numeric: true, cell: (r) => r.calls.toLocaleString('en') },
              ]}
              rows={result.data.eventsWithoutHash}
              rowKey={(r) => r.tool}
              empty="Every event in this window carries an input hash."
            />
          </section>
        </>
      )}
    </>
  );
}
