import { navItemsFor } from '../auth/permissions.util';
import { signOut } from '../auth/session.actions';
import type { Whoami } from '../api/api-views.util';
import { NavLinks } from './nav-links';

/**
 * The signed-in header: brand, the pages this token may read, who is signed in and sign-out.
 * On a phone the navigation wraps under the brand and scrolls sideways, never hidden behind a menu
 * that needs JavaScript.
 */
export function AppHeader({ who }: { readonly who: Whoami | null }) {
  const items = navItemsFor(who?.entitlements ?? []).map(({ href, label }) => ({ href, label }));
  return (
    <header className="site-header">
      <div className="container header-row">
        <a className="brand" href="/">
          auditstack
        </a>
        <nav aria-label="Main" className="main-nav">
          <NavLinks items={items} />
        </nav>
        <div className="who">
          {who && (
            <span className="principal" data-testid="principal" title={`Entitlements: ${who.entitlements.join(', ') || 'none'}`}>
              <span className="visually-hidden">Signed in as </span>
              {who.principal}
              {who.workspace_id && <span className="muted"> · workspace {who.workspace_id}</span>}
            </span>
          )}
          <form action={signOut}>
            <button type="submit" className="button button-small">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </header>
  );
}
