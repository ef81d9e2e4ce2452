import { parseDashboardEnv } from '../config/dashboard-env.schema';
import { HealthCard } from './health-card';
import { checkAllServices, overallState, serviceTargets } from './service-health.util';

const OVERALL_TEXT = {
  ok: 'All services are answering.',
  degraded: 'Some services are not answering normally.',
  down: 'No service is answering.',
} as const;

/**
 * Live health of the engine and gateway (`GET /ping`, no token needed). `compact` shows the
 * one-line summary only (the sign-in page); the full form adds a card per service (`/status`).
 */
export async function HealthSummary({ compact = false, headingLevel = 2 }: { readonly compact?: boolean; readonly headingLevel?: 2 | 3 }) {
  const env = parseDashboardEnv(process.env);
  const results = await checkAllServices(serviceTargets(env), { timeoutMs: env.HEALTH_TIMEOUT_MS });
  const overall = overallState(results);
  const checkedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  return (
    <section aria-labelledby="health-heading" className={compact ? 'health health-compact' : 'health'}>
      <div className="health-header">
        <Heading id="health-heading">Service health</Heading>
        <p className={`overall overall-${overall}`} data-testid="overall-health">
          {OVERALL_TEXT[overall]}{' '}
          <span className="muted">
            Checked at <time dateTime={checkedAt}>{checkedAt.replace('T', ' ').replace('Z', ' UTC')}</time>.
          </span>
        </p>
      </div>
      {compact ? (
        <ul className="health-inline" role="list">
          {results.map((health) => (
            <li key={health.target.id} data-testid={`health-${health.target.id}`}>
              {health.target.name}: <strong>{health.state === 'ok' ? 'ok' : health.state}</strong>
            </li>
          ))}
        </ul>
      ) : (
        <ul className="cards" role="list">
          {results.map((health) => (
            <li key={health.target.id}>
              <HealthCard health={health} timeoutMs={env.HEALTH_TIMEOUT_MS} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
