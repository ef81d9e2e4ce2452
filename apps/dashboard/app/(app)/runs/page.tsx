import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { RunRow } from '../../../src/api/api-views.util';
import { listRuns } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { Time } from '../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { hrefWith, param } from '../../../src/shell/search-params.util';
import { FilterSelect } from '../../../src/components/filter-select';

export const metadata: Metadata = { title: 'Runs' };

const STATUSES = ['pass', 'fail', 'error'] as const;
const PAGE_SIZE = 50;

/** Run history, newest first, filtered by status, one keyset page at a time. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Runs</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const params = await searchParams;
  const statusParam = param(params, 'status');
  const status = STATUSES.find((s) => s === statusParam);
  const cursor = param(params, 'cursor', 500);
  const result = redirectIfUnauthorized(await listRuns(serviceContext(token), { status, cursor, limit: PAGE_SIZE }));

  const columns: Column<RunRow>[] = [
    {
      key: 'started',
      header: 'Started',
      cell: (r) => (
        <Link href={`/runs/${encodeURIComponent(r.id)}`}>
          <Time iso={r.started_at} />
        </Link>
      ),
    },
    { key: 'status', header: 'Result', cell: (r) => <span className={`pill pill-${r.status}`}>{r.status}</span> },
    { key: 'type', header: 'Type', cell: (r) => <code>{r.action_type}</code> },
    { key: 'trigger', header: 'Trigger', cell: (r) => r.trigger },
    { key: 'message', header: 'Message', cell: (r) => r.message },
    { key: 'duration', header: 'Duration', numeric: true, cell: (r) => (r.duration_ms === null ? '—' : `${r.duration_ms} ms`) },
    { key: 'seq', header: 'Ledger seq', numeric: true, cell: (r) => r.ledger_seq ?? '—' },
  ];

  return (
    <>
      <h1>Runs</h1>
      <form className="filters" method="get" action="/runs" aria-label="Filter runs">
        <FilterSelect name="status" label="Result" options={STATUSES} value={status} anyLabel="Any result" />
        <button type="submit" className="button">
          Apply
        </button>
      </form>
      {!result.ok ? (
        <ApiProblem failure={result} what="run history" />
      ) : (
        <>
          <DataTable caption="Runs, newest first" columns={columns} rows={result.data.items} rowKey={(r) => r.id} empty="No runs match." />
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={hrefWith('/runs', { status })}>← Newest</Link> : <span />}
            {result.data.next_cursor ? <Link href={hrefWith('/runs', { status, cursor: result.data.next_cursor })}>Older →</Link> : <span />}
          </nav>
        </>
      )}
    </>
  );
}
