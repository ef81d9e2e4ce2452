import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { ApiResult } from '../api/api-client.util';
import type { Whoami } from '../api/api-views.util';
import { whoami, type ServiceContext } from '../api/service-api.util';
import { parseDashboardEnv } from '../config/dashboard-env.schema';
import { SESSION_COOKIE } from './session-cookie.util';

/** The signed-in user as the pages see it. The token stays on the server. */
export interface Session {
  readonly token: string;
  readonly who: Whoami;
}

/** Where the sign-in page sends people whose token stopped working. */
export const SESSION_EXPIRED_PATH = '/sign-in?expired=1';

/**
 * Reads the session cookie and checks the token with the gateway, once per request
 * (React `cache`). `null`: no cookie. Server components and server actions only.
 */
export const readSession = cache(async (): Promise<{ token: string; result: ApiResult<Whoami> } | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const env = parseDashboardEnv(process.env);
  return { token, result: await whoami({ gatewayUrl: env.GATEWAY_URL, token }) };
});

/**
 * The session, or a redirect to sign-in when there is none or the token was refused.
 * When the gateway cannot be reached the user is not signed out: the page gets the
 * failure to show instead.
 */
export async function requireSession(): Promise<Session | { token: string; who: null; problem: string }> {
  const session = await readSession();
  if (!session) redirect('/sign-in');
  if (session.result.ok) return { token: session.token, who: session.result.data };
  if (session.result.kind === 'unauthorized') redirect(SESSION_EXPIRED_PATH);
  return { token: session.token, who: null, problem: session.result.message };
}

/** Engine and gateway URLs with the session's token, for the API client. */
export function serviceContext(token: string): ServiceContext {
  const env = parseDashboardEnv(process.env);
  return { engineUrl: env.ENGINE_URL, gatewayUrl: env.GATEWAY_URL, token };
}

/** A signed-in user whose identity is known, or a redirect to sign-in. */
export async function requireIdentity(): Promise<Session> {
  const session = await requireSession();
  if (session.who === null) redirect('/sign-in?unavailable=1');
  return session;
}

/** Sends the user to sign-in when a service call says the token is no longer valid. */
export function redirectIfUnauthorized<T>(result: ApiResult<T>): ApiResult<T> {
  if (!result.ok && result.kind === 'unauthorized') redirect(SESSION_EXPIRED_PATH);
  return result;
}
