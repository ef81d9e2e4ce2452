import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionControls, ActionOutcome } from '../../../src/actions/action-controls';
import type { ActionRow } from '../../../src/api/api-views.util';
import { listActions } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { cronToWords } from '../../../src/components/cron-to-words.util';
import { DataTable, type Column } from '../../../src/components/data-table';
import { nextRunOf } from '../../../src/components/next-run.util';
import { Time } from '../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';
import { workbookOfAction } from '../../../src/workbooks/workbook-view.util';

export const metadata: Metadata = { title: 'Actions' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Every scheduled action, its schedule in words, and — with `actions.write` — pause, resume and run now. */
export default async function ActionsPage({ searchParams }: { searchParams: SearchParams }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Actions</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const params = await searchParams;
  const writable = can(who.entitlements, ENTITLEMENTS.actionsWrite);
  const result = redirectIfUnauthorized(await listActions(serviceContext(token)));

  const columns: Column<ActionRow>[] = [
    { key: 'name', header: 'Name', cell: (a) => <strong>{a.name}</strong> },
    { key: 'type', header: 'Type', cell: (a) => <ActionType action={a} /> },
    {
      key: 'schedule',
      header: 'Schedule',
      cell: (a) => (
        <span title={`cron: ${a.schedule} (UTC)`} data-testid="schedule">
          {cronToWords(a.schedule)}
        </span>
      ),
    },
    {
      key: 'next',
      header: 'Next run',
      cell: (a) => (a.status === 'paused' ? <span className="muted">paused</span> : <Time iso={nextRunOf(a.schedule)} />),
    },
    { key: 'status', header: 'Status', cell: (a) => <span className={`pill pill-${a.status}`}>{a.status}</span> },
  ];
  if (writable) {
    columns.push({ key: 'controls', header: 'Controls', cell: (a) => <ActionControls action={a} /> });
  }

  return (
    <>
      <h1>Actions</h1>
      <p className="lede">Scheduled checks and operations. Schedules are cron expressions evaluated in UTC; hover one to see it.</p>
      {writable && (
        <p>
          <Link href="/actions/new" className="button">
            New action
          </Link>
        </p>
      )}
      <ActionOutcome params={params} />
      {!result.ok ? (
        <ApiProblem failure={result} what="list of actions" />
      ) : (
        <DataTable caption="Actions" hideCaption columns={columns} rows={result.data} rowKey={(a) => a.id} empty="No actions yet." />
      )}
    </>
  );
}

/** The type; a `workbook` action also links to the workbook it runs (and the pinned version, if any). */
function ActionType({ action }: { action: ActionRow }) {
  const workbook = workbookOfAction(action);
  if (!workbook) return <code>{action.action_type}</code>;
  const href = `/workbooks/${encodeURIComponent(workbook.name)}${workbook.version === null ? '' : `?v=${workbook.version}`}`;
  return (
    <>
      <code>{action.action_type}</code>{' '}
      <Link
        href={href}
        data-testid="action-workbook"
        aria-label={`Workbook ${workbook.name}${workbook.version === null ? '' : ` version ${workbook.version}`}`}
      >
        {workbook.name}
        {workbook.version === null ? '' : ` v${workbook.version}`}
      </Link>
    </>
  );
}
