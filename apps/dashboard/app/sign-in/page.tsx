import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { readSession } from '../../src/auth/session.util';
import { safeNextPath } from '../../src/auth/session-cookie.util';
import { SignInForm } from '../../src/auth/sign-in-form';
import { HealthSummary } from '../../src/health/health-summary';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

const NOTICES: Readonly<Record<string, string>> = {
  expired: 'Your session ended or the token was revoked. Please sign in again.',
  signed_out: 'You are signed out.',
  unavailable: 'The gateway could not confirm who you are right now. Try signing in again in a moment.',
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const session = await readSession();
  // Already signed in with a working token: nothing to do here.
  if (session?.result.ok) redirect(safeNextPath(params['next']));
  const notice = Object.keys(NOTICES).find((key) => params[key] !== undefined);

  return (
    <>
      <header className="site-header">
        <div className="container header-row">
          <p className="brand">auditstack</p>
        </div>
      </header>
      <main id="main" className="container narrow" tabIndex={-1}>
        <h1>Sign in to auditstack</h1>
        <p className="lede">Scorecards of every audited project, scheduled checks and their runs, lifecycle and tool events, and the evidence ledger.</p>
        {notice && (
          <p className="notice" role="status" data-testid="sign-in-notice">
            {NOTICES[notice]}
          </p>
        )}
        <SignInForm next={safeNextPath(params['next'])} />
        <HealthSummary compact headingLevel={2} />
      </main>
    </>
  );
}
