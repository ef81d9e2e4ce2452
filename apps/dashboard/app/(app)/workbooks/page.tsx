import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { WorkbookSummary } from '../../../src/api/api-views.util';
import { listWorkbooks } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { Time } from '../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';

export const metadata: Metadata = { title: 'Workbooks' };

/** Every workbook with its latest version; writers may start a new one. */
export default async function WorkbooksPage() {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Workbooks</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const writable = can(who.entitlements, ENTITLEMENTS.actionsWrite);
  const result = redirectIfUnauthorized(await listWorkbooks(serviceContext(token)));
  const columns: Column<WorkbookSummary>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (w) => (
        <Link href={`/workbooks/${encodeURIComponent(w.name)}`} className="nowrap">
          <strong>{w.name}</strong>
        </Link>
      ),
    },
    { key: 'version', header: 'Latest version', numeric: true, cell: (w) => <span data-testid="latest-version">v{w.latest_version}</span> },
    { key: 'steps', header: 'Steps', numeric: true, cell: (w) => w.steps },
    { key: 'description', header: 'Description', cell: (w) => w.description || <span className="muted">—</span> },
    { key: 'updated', header: 'Updated', cell: (w) => <Time iso={w.updated_at} /> },
  ];
  return (
    <>
      <h1>Workbooks</h1>
      <p className="lede">
        Declarative, versioned audit procedures: ordered steps with assertions, run by <code>workbook</code> actions. Every save is a new version.
      </p>
      {writable && (
        <p>
          <Link href="/workbooks/new" className="button">
            New workbook
          </Link>
        </p>
      )}
      {!result.ok ? (
        <ApiProblem failure={result} what="list of workbooks" />
      ) : (
        <DataTable caption="Workbooks" hideCaption columns={columns} rows={result.data} rowKey={(w) => w.name} empty="No workbooks yet." />
      )}
    </>
  );
}
