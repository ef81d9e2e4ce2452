import { ENTITLEMENTS, WorkbookNameSchema } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getWorkbook, getWorkbookVersion } from '../../../../../src/api/service-api.util';
import { can } from '../../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../../src/auth/session.util';
import { ApiProblem, NotAllowed } from '../../../../../src/shell/api-problem';
import { param } from '../../../../../src/shell/search-params.util';
import { WorkbookEditor } from '../../../../../src/workbooks/workbook-editor';
import { specToEditorText } from '../../../../../src/workbooks/workbook-validation.util';
import { decodeSegment, versionParam } from '../../../../../src/workbooks/workbook-view.util';
import { WorkbookUnavailable } from '../../../../../src/workbooks/workbook-unavailable';

export const metadata: Metadata = { title: 'Edit workbook' };

/**
 * The editor over a stored version (the latest, or `?v=`): Save stores the next version.
 * Viewers get the same text read-only, without Dry run or Save.
 */
export default async function EditWorkbookPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const name = decodeSegment((await params).name);
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Edit workbook</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const back = (
    <p>
      <Link href={`/workbooks/${encodeURIComponent(name)}`}>← {name}</Link>
    </p>
  );
  if (!WorkbookNameSchema.safeParse(name).success) {
    return (
      <>
        <h1>Edit workbook</h1>
        <p className="notice notice-error" role="alert" data-testid="api-problem">
          No workbook can have this name.
        </p>
      </>
    );
  }
  const ctx = serviceContext(token);
  const detail = redirectIfUnauthorized(await getWorkbook(ctx, name));
  if (!detail.ok) return <WorkbookUnavailable back={back} title={`Edit ${name}`} name={name} failure={detail} />;
  const latest = detail.data.latest;
  const wanted = versionParam(param(await searchParams, 'v', 12));
  const from =
    wanted === null || wanted === latest.version ? { ok: true as const, data: latest } : redirectIfUnauthorized(await getWorkbookVersion(ctx, name, wanted));
  const writable = can(who.entitlements, ENTITLEMENTS.actionsWrite);

  return (
    <>
      {back}
      <h1>{writable ? `Edit ${name}` : name}</h1>
      {!from.ok ? (
        <ApiProblem failure={from} what="workbook version" />
      ) : (
        <>
          {writable ? (
            <p className="lede">
              Starting from version {from.data.version}
              {from.data.version === latest.version ? ' (the latest)' : ` (the latest is ${latest.version})`}. Saving creates version {latest.version + 1};
              nothing is overwritten.
            </p>
          ) : (
            <p className="notice" role="status" data-testid="read-only">
              Read-only: your token does not include <code>actions.write</code>, so it cannot dry-run or save workbooks.
            </p>
          )}
          <WorkbookEditor initialText={specToEditorText(from.data.spec)} basedOn={{ name, version: latest.version }} readOnly={!writable} />
        </>
      )}
    </>
  );
}
