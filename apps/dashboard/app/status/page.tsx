import type { Metadata } from 'next';
import { HealthSummary } from '../../src/health/health-summary';

export const metadata: Metadata = { title: 'Service status' };
// Health is live: never prerender or cache this page.
export const dynamic = 'force-dynamic';

/** Public: `/ping` needs no token, and operators need this page most when sign-in fails. */
export default function StatusPage() {
  return (
    <>
      <header className="site-header">
        <div className="container header-row">
          <a className="brand" href="/">
            auditstack
          </a>
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <h1>auditstack service status</h1>
        <p className="lede">Whether the engine and the gateway answer their health endpoint right now.</p>
        <HealthSummary />
      </main>
    </>
  );
}
