import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { BADGES } from '../../src/api/api-views.util';
import { getOverview } from '../../src/api/service-api.util';
import { can, navItemsFor } from '../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../src/auth/session.util';
import { CardReasons, latestOf } from '../../src/components/card-reasons';
import { BADGE_LABEL, ScoreBadge } from '../../src/components/score-badge';
import { Sparkline } from '../../src/components/sparkline';
import { Time } from '../../src/components/time';
import { overviewHref, overviewView, parseOverviewParams } from '../../src/overview/overview-query.util';
import { ApiProblem } from '../../src/shell/api-problem';
import { FilterSelect } from '../../src/components/filter-select';

export const metadata: Metadata = { title: 'Overview' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The home page: one card per project, failing counts on top, filter, search and pages in the URL. */
export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const { token, who } = await requireIdentity();
  const params = parseOverviewParams(await searchParams);

  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    const other = navItemsFor(who.entitlements);
    return (
      <>
        <h1>Welcome, {who.principal}</h1>
        <p className="lede" data-testid="no-overview">
          Your token does not include <code>actions.read</code>, so project scorecards are not shown.
          {other.length > 0 ? ' You can open:' : ' Ask an administrator for a token with more entitlements.'}
        </p>
        {other.length > 0 && (
          <ul>
            {other.map((item) => (
              <li key={item.href}>
                <Link href={item.href}>{item.label}</Link>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }

  const result = redirectIfUnauthorized(await getOverview(serviceContext(token)));

  return (
    <>
      <h1>Overview</h1>
      {!result.ok ? <ApiProblem failure={result} what="project overview" /> : <OverviewBody view={overviewView(result.data, params)} params={params} />}
    </>
  );
}

function OverviewBody({ view, params }: { view: ReturnType<typeof overviewView>; params: ReturnType<typeof parseOverviewParams> }) {
  const filtered = params.q !== '' || params.status !== null;
  return (
    <>
      <dl className="summary" data-testid="overview-summary">
        <div>
          <dt>Projects</dt>
          <dd>{view.summary.projects}</dd>
        </div>
        <div className={view.summary.failingChecks > 0 ? 'summary-bad' : undefined}>
          <dt>Failing checks</dt>
          <dd data-testid="failing-checks">{view.summary.failingChecks}</dd>
        </div>
        <div>
          <dt>Projects with failures</dt>
          <dd>{view.summary.failingProjects}</dd>
        </div>
      </dl>

      <form className="filters" method="get" action="/" role="search" aria-label="Filter projects">
        <div className="field">
          <label htmlFor="q">Search by name</label>
          <input id="q" name="q" type="search" defaultValue={params.q} maxLength={100} />
        </div>
        <FilterSelect name="status" label="Status" options={BADGES} value={params.status} anyLabel="Any status" format={(badge) => BADGE_LABEL[badge]} />
        <button type="submit" className="button">
          Apply
        </button>
        {filtered && (
          <Link href="/" className="button button-quiet">
            Clear
          </Link>
        )}
      </form>

      <p className="muted" aria-live="polite">
        {view.matching === 0
          ? filtered
            ? 'No project matches this filter.'
            : 'No projects yet. Create one with the engine API or `auditstack seed`.'
          : `${view.matching} project${view.matching === 1 ? '' : 's'}${filtered ? ' match' : ''}; page ${view.page} of ${view.pages}.`}
      </p>

      {view.cards.length > 0 && (
        <ul className="cards project-cards" role="list" data-testid="project-cards">
          {view.cards.map((card) => (
            <li key={card.id}>
              <article className={`card project-card card-${card.badge}`} aria-labelledby={`project-${card.id}`}>
                <h2 id={`project-${card.id}`} className="card-title">
                  <Link href={`/projects/${encodeURIComponent(card.id)}`}>{card.name}</Link>
                </h2>
                <ScoreBadge passed={card.passed} total={card.total} badge={card.badge} />
                <CardReasons card={card} />
                <Sparkline points={card.trend} />
                <dl className="meta">
                  <dt>Last audit</dt>
                  <dd>
                    <Time iso={latestOf(card.lastAuditAt, card.lastRunAt)} fallback="never" />
                  </dd>
                  <dt>Failing checks</dt>
                  <dd>{card.failing}</dd>
                </dl>
              </article>
            </li>
          ))}
        </ul>
      )}

      {view.pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {view.page > 1 ? <Link href={overviewHref(params, { page: view.page - 1 })}>← Previous</Link> : <span />}
          <span>
            Page {view.page} of {view.pages}
          </span>
          {view.page < view.pages ? <Link href={overviewHref(params, { page: view.page + 1 })}>Next →</Link> : <span />}
        </nav>
      )}
    </>
  );
}
