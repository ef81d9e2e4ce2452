import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { can } from '../../../../src/auth/permissions.util';
import { requireIdentity } from '../../../../src/auth/session.util';
import { NotAllowed } from '../../../../src/shell/api-problem';
import { WorkbookEditor } from '../../../../src/workbooks/workbook-editor';
import { NEW_WORKBOOK_TEXT } from '../../../../src/workbooks/workbook-view.util';

export const metadata: Metadata = { title: 'New workbook' };

/** The editor over a starter spec; Save stores version 1 (a name already taken is refused, not overwritten). */
export default async function NewWorkbookPage() {
  const { who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite)) {
    return (
      <>
        <h1>New workbook</h1>
        <NotAllowed needs="actions.write" />
      </>
    );
  }
  return (
    <>
      <p>
        <Link href="/workbooks">← Workbooks</Link>
      </p>
      <h1>New workbook</h1>
      <p className="lede">Write the spec, try it with Dry run (nothing is stored), then Save it as version 1.</p>
      <WorkbookEditor initialText={NEW_WORKBOOK_TEXT} basedOn={null} />
    </>
  );
}
