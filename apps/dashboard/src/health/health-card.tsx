import { statusDetail, statusLabel, type Readiness, type ServiceHealth } from './service-health.util';

const ICON: Record<ServiceHealth['state'], string> = { ok: '✓', unhealthy: '!', unreachable: '✕' };

/**
 * One service's health: the status is spelled out in text, colour and icon only repeat it.
 * The page is public: it names the dependencies and their state (`/ready`), never a URL, host or port.
 */
export function HealthCard({
  health,
  readiness,
  timeoutMs,
}: {
  readonly health: ServiceHealth;
  readonly readiness: Readiness | null;
  readonly timeoutMs: number;
}) {
  const headingId = `service-${health.target.id}`;
  return (
    <article className={`card state-${health.state}`} aria-labelledby={headingId} data-testid={`health-${health.target.id}`}>
      <h3 id={headingId}>{health.target.name}</h3>
      <p className="status">
        <span className="status-icon" aria-hidden="true">
          {ICON[health.state]}
        </span>
        <span className="visually-hidden">Status: </span>
        <strong data-testid="status">{statusLabel(health)}</strong>
      </p>
      <p className="detail">{statusDetail(health, timeoutMs)}</p>
      {readiness ? (
        <dl className="meta" data-testid="readiness">
          <dt>Ready</dt>
          <dd>{readiness.ready ? 'yes' : 'no'}</dd>
          {Object.entries(readiness.checks).map(([name, state]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{state.replace(/_/g, ' ')}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </article>
  );
}
