import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { CreateActionForm } from '../../../../src/actions/create-action-form';
import { listProjects, listActionTypes } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { param } from '../../../../src/shell/search-params.util';

export const metadata: Metadata = { title: 'New action' };

/** Step 1: pick a type. Step 2: the form generated from that type's config schema. */
export default async function NewActionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite)) {
    return (
      <>
        <h1>New action</h1>
        <NotAllowed needs="actions.write" />
      </>
    );
  }
  const ctx = serviceContext(token);
  const typeId = param(await searchParams, 'type', 64);
  const [types, projects] = await Promise.all([listActionTypes(ctx).then(redirectIfUnauthorized), listProjects(ctx).then(redirectIfUnauthorized)]);
  const chosen = types.ok ? types.data.find((t) => t.id === typeId) : undefined;

  return (
    <>
      <p>
        <Link href="/actions">← Actions</Link>
      </p>
      <h1>New action</h1>
      {!types.ok ? (
        <ApiProblem failure={types} what="list of action types" />
      ) : (
        <form method="get" action="/actions/new" className="filters" aria-label="Action type">
          <div className="field">
            <label htmlFor="type">Type</label>
            <select id="type" name="type" defaultValue={chosen?.id ?? ''}>
              <option value="">Choose a type…</option>
              {types.data.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.id}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button">
            {chosen ? 'Change type' : 'Continue'}
          </button>
        </form>
      )}
      {chosen && (
        <>
          {chosen.description && <p className="muted">{chosen.description}</p>}
          {!projects.ok && <ApiProblem failure={projects} what="list of projects" />}
          <CreateActionForm
            key={chosen.id}
            actionType={chosen.id}
            configSchema={chosen.config_schema}
            projects={projects.ok ? projects.data.map((p) => ({ id: p.id, name: p.name })) : []}
          />
        </>
      )}
    </>
  );
}
