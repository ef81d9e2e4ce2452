/** Name of the httpOnly cookie that carries the API token. */
export const SESSION_COOKIE = 'auditstack_session';

/** How long a sign-in lasts before the token must be entered again: 8 hours. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** Longest token accepted from the sign-in form (tokens are `ast_` + 43 characters; anything far longer is noise). */
const MAX_TOKEN_LENGTH = 512;

/** Options of the session cookie: never readable by client JavaScript, never sent cross-site. */
export interface SessionCookieOptions {
  readonly httpOnly: true;
  readonly sameSite: 'strict';
  readonly secure: boolean;
  readonly path: '/';
  readonly maxAge: number;
}

/**
 * Cookie options for a request that arrived over `protocol`. `Secure` is set when the
 * dashboard is reached over HTTPS (directly or behind a proxy that says so), and left off on
 * plain-HTTP loopback, where a Secure cookie would never come back.
 */
export function sessionCookieOptions(protocol: 'http' | 'https'): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: protocol === 'https', path: '/', maxAge: SESSION_MAX_AGE_SECONDS };
}

/**
 * The protocol the browser used, from `x-forwarded-proto` (first hop) or the `origin` header.
 * Both are set by the client or a proxy: they only decide the `Secure` flag, never access.
 */
export function requestProtocol(headers: { get(name: string): string | null }): 'http' | 'https' {
  const forwarded = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return forwarded;
  const origin = headers.get('origin');
  return origin?.toLowerCase().startsWith('https:') ? 'https' : 'http';
}

/**
 * The token typed into the sign-in form, trimmed, or `null` when it cannot be a token
 * (empty, too long, or with characters a bearer token never has). Input an attacker controls:
 * it ends up in an `Authorization` header, so no whitespace or control character may pass.
 */
export function normaliseToken(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const token = raw.trim();
  if (token === '' || token.length > MAX_TOKEN_LENGTH) return null;
  return /^[\x21-\x7e]+$/.test(token) ? token : null;
}

/** A same-site path to return to after sign-in, or `/`. Rejects `//host` and absolute URLs (open redirect). */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  return /^[\x21-\x7e]*$/.test(raw) ? raw : '/';
}
