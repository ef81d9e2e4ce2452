'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { whoami } from '../api/service-api.util';
import { parseDashboardEnv } from '../config/dashboard-env.schema';
import { normaliseToken, requestProtocol, safeNextPath, SESSION_COOKIE, sessionCookieOptions } from './session-cookie.util';

/** What the sign-in form shows after a refused attempt. */
export interface SignInState {
  readonly error: string | null;
}

/**
 * Checks the typed token with `GET {GATEWAY_URL}/v1/whoami` and, when valid, keeps it in an
 * httpOnly, SameSite=Strict cookie and goes to the page the user asked for.
 */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const token = normaliseToken(form.get('token'));
  if (token === null) return { error: 'Enter an API token (it starts with ast_).' };
  const env = parseDashboardEnv(process.env);
  const result = await whoami({ gatewayUrl: env.GATEWAY_URL, token });
  if (!result.ok) {
    if (result.kind === 'unauthorized') return { error: 'This token was not accepted: it is unknown, revoked or mistyped.' };
    return { error: `Cannot check the token right now: ${result.message}` };
  }
  const protocol = requestProtocol(await headers());
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(protocol));
  redirect(safeNextPath(form.get('next')));
}

/** Forgets the token and returns to sign-in. */
export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in?signed_out=1');
}
