import { cookies } from 'next/headers';
import { apiFetch } from '../../../../src/api/api-client.util';
import { queryString } from '../../../../src/api/service-api.util';
import { SESSION_COOKIE } from '../../../../src/auth/session-cookie.util';
import { parseDashboardEnv } from '../../../../src/config/dashboard-env.schema';

export const dynamic = 'force-dynamic';

/** The gateway evidence reads the browser may ask for (the path is attacker controlled: allow-list only). */
const ALLOWED_PATHS: readonly RegExp[] = [/^checkpoints$/, /^checkpoints\/latest$/, /^proofs\/inclusion\/\d{1,15}$/, /^entries\/\d{1,15}$/];
/** Query parameters passed on, each a small decimal number. */
const ALLOWED_QUERY = ['limit', 'cursor', 'tree_size'] as const;

/**
 * `GET /api/evidence/<path>`: the browser's way to the gateway's evidence endpoints (checkpoints,
 * inclusion proofs, ledger entries) with the signed-in user's token, which never leaves the server.
 * The answer is the gateway's JSON as is, so the browser verifies exactly what the gateway served.
 */
export async function GET(request: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return Response.json({ message: 'Please sign in.' }, { status: 401 });
  const path = (await params).path.join('/');
  if (!ALLOWED_PATHS.some((allowed) => allowed.test(path))) return Response.json({ message: 'Not an evidence read this dashboard offers.' }, { status: 404 });
  const search = new URL(request.url).searchParams;
  const query: Record<string, string | undefined> = {};
  for (const key of ALLOWED_QUERY) {
    const value = search.get(key);
    if (value !== null && /^\d{1,15}$/.test(value)) query[key] = value;
  }
  const env = parseDashboardEnv(process.env);
  const result = await apiFetch<unknown>({ baseUrl: env.GATEWAY_URL, token, path: `/v1/evidence/${path}${queryString(query)}` });
  if (result.ok) return Response.json(result.data, { status: 200, headers: { 'cache-control': 'no-store' } });
  const status = result.status ?? 502;
  return Response.json({ kind: result.kind, message: result.message }, { status, headers: { 'cache-control': 'no-store' } });
}
