import { DEMO_ID_PREFIX } from '@auditstack/audit-core';

/**
 * Says that the rows on the page include the simulated fleet of `auditstack demo` (docs/demo.md) and how to
 * remove it. Render it only when some row shown is demo ({@link isDemoRow}).
 */
export function DemoBanner() {
  return (
    <p className="notice notice-warn" role="note" data-testid="demo-banner">
      <strong>Demo data</strong> — rows whose ids start with <code>{DEMO_ID_PREFIX}</code> come from a simulated fleet (<code>auditstack demo</code>). Remove
      them with <code>auditstack demo --remove</code>.
    </p>
  );
}

/** A small mark on one demo row, after what the cell already shows (it brings its own leading space). */
export function DemoBadge() {
  return (
    <>
      {' '}
      <span className="pill pill-warn" data-testid="demo-badge" title="Demo data (auditstack demo)">
        demo
      </span>
    </>
  );
}
