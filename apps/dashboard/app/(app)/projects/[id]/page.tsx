import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ScorecardCheck } from '../../../../src/api/api-views.util';
import { ActionControls, ActionOutcome } from '../../../../src/actions/action-controls';
import { getScorecard, listActions } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { DataTable, type Column } from '../../../../src/components/data-table';
import { CardReasons, latestOf } from '../../../../src/components/card-reasons';
import { ScoreBadge } from '../../../../src/components/score-badge';
import { Time } from '../../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';

export const metadata: Metadata = { title: 'Scorecard' };

/** One project's scorecard: a row per check with its status, message and rule; evidence on demand. */
export default async function ScorecardPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Scorecard</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const ctx = serviceContext(token);
  const writable = can(who.entitlements, ENTITLEMENTS.actionsWrite);
  const [result, actions] = await Promise.all([
    getScorecard(ctx, id).then(redirectIfUnauthorized),
    writable ? listActions(ctx, { project_id: id }).then(redirectIfUnauthorized) : null,
  ]);
  if (!result.ok) {
    return (
      <>
        <p>
          <Link href="/">← Overview</Link>
        </p>
        <h1>Scorecard</h1>
        <ApiProblem failure={result} what="scorecard" />
      </>
    );
  }
  const card = result.data;
  const columns: Column<ScorecardCheck>[] = [
    { key: 'target', header: 'Target', cell: (c) => c.target || '—' },
    { key: 'check', header: 'Check', cell: (c) => <code>{c.check_id}</code> },
    { key: 'status', header: 'Status', cell: (c) => <span className={`pill pill-${c.status}`}>{c.status}</span> },
    { key: 'message', header: 'Message', cell: (c) => c.message },
    { key: 'rule', header: 'Rule', cell: (c) => ruleText(c.rule) },
    { key: 'checked', header: 'Checked at', cell: (c) => <Time iso={c.checked_at} /> },
    {
      key: 'history',
      header: 'History',
      cell: (c) =>
        c.history.length === 0 ? (
          '—'
        ) : (
          <ol className="history" aria-label={`Last ${c.history.length} results, newest first`}>
            {c.history.map((h) => (
              <li key={h.run_id}>
                <Link href={`/runs/${encodeURIComponent(h.run_id)}`} className={`pill pill-${h.status}`} title={h.started_at ?? undefined}>
                  {h.status}
                </Link>
              </li>
            ))}
          </ol>
        ),
    },
    {
      key: 'evidence',
      header: 'Evidence',
      cell: (c) =>
        c.evidence && Object.keys(c.evidence).length > 0 ? (
          <details>
            <summary>Show</summary>
            <pre className="note">{JSON.stringify(c.evidence, null, 2)}</pre>
          </details>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <>
      <p>
        <Link href="/">← Overview</Link>
      </p>
      <h1>{card.name}</h1>
      <p>
        <ScoreBadge passed={card.passed} total={card.total} badge={card.badge} />{' '}
        <span className="muted">
          Last audit <Time iso={latestOf(card.lastAuditAt, card.lastRunAt)} fallback="never" />
        </span>
      </p>
      <CardReasons card={card} />
      <ActionOutcome params={await searchParams} />
      {actions?.ok && actions.data.length > 0 && (
        <section aria-labelledby="run-heading" className="section">
          <h2 id="run-heading">Run the checks now</h2>
          <ul className="run-list" role="list">
            {actions.data.map((action) => (
              <li key={action.id}>
                <span>{action.name}</span> <ActionControls action={action} back={`/projects/${encodeURIComponent(card.id)}`} runOnly />
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>Checks</h2>
      <DataTable
        caption={`Checks of ${card.name}`}
        hideCaption
        columns={columns}
        rows={card.checks}
        rowKey={(c) => `${c.target}\u0000${c.check_id}`}
        empty="No check results yet."
      />
    </>
  );
}

/**
 * `tcp.connect · RFC 9293 §3.5` from a check's rule (`{ id, description, reference? }` in the
 * contract; `title`, `rfc` and `section` are read too where a collector records them).
 */
function ruleText(rule: Record<string, unknown>): string {
  const pick = (key: string): string | undefined => (typeof rule[key] === 'string' && rule[key] !== '' ? (rule[key] as string) : undefined);
  const reference = pick('reference') ?? [pick('rfc') ?? pick('spec'), pick('section')].filter(Boolean).join(' §');
  const title = pick('title') ?? pick('id') ?? '';
  return [title, reference].filter(Boolean).join(' · ') || '—';
}
