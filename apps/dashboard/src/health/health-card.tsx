import { statusDetail, statusLabel, type ServiceHealth } from './service-health.util';

const ICON: Record<ServiceHealth['state'], string> = { ok: '✓', unhealthy: '!', unreachable: '✕' };

/** One service's health: the status is spelled out in text, colour and icon only repeat it. */
export function HealthCard({ health, timeoutMs }: { readonly health: ServiceHealth; readonly timeoutMs: number }) {
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
      <dl className="meta">
        <dt>Health endpoint</dt>
        <dd>
          <code>{health.pingUrl}</code>
        </dd>
      </dl>
    </article>
  );
}
