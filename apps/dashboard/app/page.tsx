import { parseDashboardEnv } from '../src/config/dashboard-env.schema';
import { HealthCard } from '../src/health/health-card';
import { checkAllServices, overallState, serviceTargets } from '../src/health/service-health.util';

// Health is live: never prerender or cache this page.
export const dynamic = 'force-dynamic';

const OVERALL_TEXT = {
  ok: 'All services are answering.',
  degraded: 'Some services are not answering normally.',
  down: 'No service is answering.',
} as const;

export default async function HomePage() {
  const env = parseDashboardEnv(process.env);
  const results = await checkAllServices(serviceTargets(env), { timeoutMs: env.HEALTH_TIMEOUT_MS });
  const overall = overallState(results);
  const checkedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  return (
    <>
      <h1>auditstack dashboard</h1>
      <p className="lede">
        One place to read the state of every audit: project scorecards, scheduled checks and their runs, lifecycle and
        tool events, and the tamper-evident evidence ledger.
      </p>

      <section aria-labelledby="health-heading" className="health">
        <div className="health-header">
          <h2 id="health-heading">Service health</h2>
          <p className={`overall overall-${overall}`} data-testid="overall-health">
            {OVERALL_TEXT[overall]}{' '}
            <span className="muted">
              Checked at <time dateTime={checkedAt}>{checkedAt.replace('T', ' ').replace('Z', ' UTC')}</time>.
            </span>
          </p>
        </div>
        <ul className="cards" role="list">
          {results.map((health) => (
            <li key={health.target.id}>
              <HealthCard health={health} timeoutMs={env.HEALTH_TIMEOUT_MS} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
