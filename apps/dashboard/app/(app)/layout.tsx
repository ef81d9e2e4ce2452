import type { ReactNode } from 'react';
import { requireSession } from '../../src/auth/session.util';
import { AppHeader } from '../../src/shell/app-header';

// Every page of the shell reads the session cookie: never prerendered.
export const dynamic = 'force-dynamic';

/** The signed-in shell. No session → sign-in (inside `requireSession`). */
export default async function AppLayout({ children }: { readonly children: ReactNode }) {
  const session = await requireSession();
  return (
    <>
      <AppHeader who={session.who} />
      <main id="main" className="container" tabIndex={-1}>
        {session.who === null && (
          <p className="notice notice-error" role="alert">
            Cannot confirm who you are right now: {session.problem}
          </p>
        )}
        {children}
      </main>
    </>
  );
}
