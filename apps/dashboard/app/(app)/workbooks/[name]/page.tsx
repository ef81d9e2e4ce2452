import { ENTITLEMENTS, WorkbookNameSchema } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getWorkbook, getWorkbookVersion } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { DataTable } from '../../../../src/components/data-table';
import { Time } from '../../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { param } from '../../../../src/shell/search-params.util';
import { decodeSegment, specSteps, versionParam } from '../../../../src/workbooks/workbook-view.util';
import { WorkbookUnavailable } from '../../../../src/workbooks/workbook-unavailable';

export const metadata: Metadata = { title: 'Workbook' };

/** One workbook: pick a version, read its spec; writers edit it into the next version. */
export default async function WorkbookPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { name: rawName } = await params;
  const name = decodeSegment(rawName);
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Workbook</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const back = (
    <p>
      <Link href="/workbooks">← Workbooks</Link>
    </p>
  );
  if (!WorkbookNameSchema.safeParse(name).success) {
    return (
      <>
        {back}
        <h1>Workbook</h1>
        <p className="notice notice-error" role="alert" data-testid="api-problem">
          No workbook can have this name.
        </p>
      </>
    );
  }
  const query = await searchParams;
  const ctx = serviceContext(token);
  const detail = redirectIfUnauthorized(await getWorkbook(ctx, name));
  if (!detail.ok) return <WorkbookUnavailable back={back} title={name} name={name} failure={detail} />;
  const latest = detail.data.latest;
  const wanted = versionParam(param(query, 'v', 12));
  const shown =
    wanted === null || wanted === latest.version ? { ok: true as const, data: latest } : redirectIfUnauthorized(await getWorkbookVersion(ctx, name, wanted));
  const writable = can(who.entitlements, ENTITLEMENTS.actionsWrite);
  const saved = param(query, 'saved', 1) === '1';

  return (
    <>
      {back}
      <h1>{name}</h1>
      {saved && shown.ok && (
        <p className="notice notice-ok" role="status" data-testid="workbook-saved">
          Saved as version {shown.data.version}. Actions that run this workbook without a pinned version use it from their next run.
        </p>
      )}
      <form method="get" action={`/workbooks/${encodeURIComponent(name)}`} className="filters" aria-label="Version">
        <div className="field">
          <label htmlFor="v">Version</label>
          <select id="v" name="v" defaultValue={String(shown.ok ? shown.data.version : latest.version)}>
            {detail.data.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.version === latest.version ? ' (latest)' : ''}
                {v.created_at ? ` — ${v.created_at.slice(0, 16).replace('T', ' ')} UTC` : ''}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Show
        </button>
      </form>
      {!shown.ok ? (
        <ApiProblem failure={shown} what="workbook version" />
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>Version</dt>
              <dd data-testid="shown-version">
                v{shown.data.version}
                {shown.data.version === latest.version ? ' (latest)' : ` (latest is v${latest.version})`}
              </dd>
            </div>
            <div>
              <dt>Saved</dt>
              <dd>
                <Time iso={shown.data.created_at} />
              </dd>
            </div>
            <div>
              <dt>Versions</dt>
              <dd>{detail.data.versions.length}</dd>
            </div>
          </dl>
          {typeof shown.data.spec['description'] === 'string' && <p className="lede">{shown.data.spec['description']}</p>}
          {writable && (
            <p>
              <Link href={`/workbooks/${encodeURIComponent(name)}/edit?v=${shown.data.version}`} className="button button-primary">
                Edit as version {latest.version + 1}
              </Link>
            </p>
          )}
          <h2>Steps</h2>
          <DataTable
            caption="Steps, in order"
            hideCaption
            columns={[
              { key: 'id', header: 'Step', cell: (s) => <code>{s.id}</code> },
              { key: 'kind', header: 'Kind', cell: (s) => s.kind },
              { key: 'description', header: 'Description', cell: (s) => s.description || <span className="muted">—</span> },
            ]}
            rows={specSteps(shown.data.spec)}
            rowKey={(s) => `${s.index}`}
            empty="This version has no steps."
          />
          <h2>Spec</h2>
          <p className="muted">Read-only: exactly as stored{writable ? '. Edit saves a new version; this one stays as it is' : ''}.</p>
          <pre className="note" tabIndex={0} data-testid="workbook-spec" aria-label={`Spec of ${name} version ${shown.data.version}`}>
            {JSON.stringify(shown.data.spec, null, 2)}
          </pre>
        </>
      )}
    </>
  );
}
