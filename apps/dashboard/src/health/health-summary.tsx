import { parseDashboardEnv } from '../config/dashboard-env.schema';
import { HealthCard } from './health-card';
import { checkAllServices, checkReadiness, isSpooling, overallState, serviceTargets } from './service-health.util';

const OVERALL_TEXT = {
  ok: 'All services are answering.',
  degraded: 'Some services are not answering normally.',
  down: 'No service is answering.',
} as const;

/**
 * Live health of the engine and gateway (`GET /ping` and `/ready`, no token needed; no URL is shown). `compact` shows the
 * one-line summary only (the sign-in page); the full form adds a card per service (`/status`).
 */
export async function HealthSummary({ compact = false, headingLevel = 2 }: { readonly compact?: boolean; readonly headingLevel?: 2 | 3 }) {
  const env = parseDashboardEnv(process.env);
  const targets = serviceTargets(env);
  const [results, readiness] = await Promise.all([
    checkAllServices(targets, { timeoutMs: env.HEALTH_TIMEOUT_MS }),
    Promise.all(targets.map((target) => checkReadiness(target, { timeoutMs: env.HEALTH_TIMEOUT_MS }))),
  ]);
  const spooling = isSpooling(readiness[targets.findIndex((t) => t.id === 'gateway')]);
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
      {spooling ? (
        <p className="notice notice-warn" role="status" data-testid="spooling-notice">
          <strong>Spooling, nothing lost.</strong> The database is unreachable, so the gateway is keeping every acknowledged event on disk; they are written to
          the database as soon as it is back.
        </p>
      ) : null}
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
          {results.map((health, i) => (
            <li key={health.target.id}>
              <HealthCard health={health} readiness={readiness[i] ?? null} timeoutMs={env.HEALTH_TIMEOUT_MS} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
