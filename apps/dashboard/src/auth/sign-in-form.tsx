'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from './session.actions';

const INITIAL: SignInState = { error: null };

/** The token form. The token goes to a server action and comes back only as an httpOnly cookie. */
export function SignInForm({ next }: { readonly next: string }) {
  const [state, action, pending] = useActionState(signIn, INITIAL);
  return (
    <form action={action} className="sign-in-form" aria-describedby={state.error ? 'sign-in-error' : undefined}>
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="token">API token</label>
        <p id="token-hint" className="hint">
          A token from <code>auditstack tokens create</code> or the admin token printed by <code>npm start</code>. It is kept in a secure cookie that scripts on
          this page cannot read.
        </p>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={state.error ? 'token-hint sign-in-error' : 'token-hint'}
          aria-invalid={state.error ? true : undefined}
        />
      </div>
      {state.error && (
        <p id="sign-in-error" className="form-error" role="alert" data-testid="sign-in-error">
          {state.error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}
