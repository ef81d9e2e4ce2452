import { GATEWAY_ROUTES } from '@auditstack/audit-core';
import { cookies } from 'next/headers';
import { callRoute, serviceClient, type ApiResult } from '../../../../src/api/api-client.util';
import { SESSION_COOKIE } from '../../../../src/auth/session-cookie.util';
import { parseDashboardEnv } from '../../../../src/config/dashboard-env.schema';

export const dynamic = 'force-dynamic';

/** A small decimal number from the query (the values are attacker controlled), else undefined. */
function decimal(search: URLSearchParams, key: string): number | undefined {
  const value = search.get(key);
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * `GET /api/evidence/<path>`: the browser's way to the gateway's evidence routes (checkpoints,
 * inclusion proofs, ledger entries) with the signed-in user's token, which never leaves the server.
 * Only these four reads of the contract are offered (the path is attacker controlled: matched
 * against an allow-list, never passed on); the answer is the gateway's, parsed by the SDK with the
 * route's response schema, so the browser verifies what the gateway served.
 */
export async function GET(request: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return Response.json({ message: 'Please sign in.' }, { status: 401 });
  const path = (await params).path.join('/');
  const search = new URL(request.url).searchParams;
  const env = parseDashboardEnv(process.env);
  const client = serviceClient({ baseUrl: env.GATEWAY_URL, token });
  let result: ApiResult<unknown>;
  const inclusion = /^proofs\/inclusion\/(\d{1,15})$/.exec(path);
  const entry = /^entries\/(\d{1,15})$/.exec(path);
  if (path === 'checkpoints') {
    const cursor = search.get('cursor');
    result = await callRoute(client, GATEWAY_ROUTES.listCheckpoints, {
      query: { limit: decimal(search, 'limit'), cursor: cursor !== null && /^[A-Za-z0-9_-]{1,1024}$/.test(cursor) ? cursor : undefined },
    });
  } else if (path === 'checkpoints/latest') {
    result = await callRoute(client, GATEWAY_ROUTES.latestCheckpoint);
  } else if (inclusion) {
    result = await callRoute(client, GATEWAY_ROUTES.inclusionProof, {
      params: { seq: Number(inclusion[1]) },
      query: { tree_size: decimal(search, 'tree_size') },
    });
  } else if (entry) {
    result = await callRoute(client, GATEWAY_ROUTES.ledgerEntry, { params: { seq: Number(entry[1]) } });
  } else {
    return Response.json({ message: 'Not an evidence read this dashboard offers.' }, { status: 404 });
  }
  if (result.ok) return Response.json(result.data, { status: 200, headers: { 'cache-control': 'no-store' } });
  const status = result.status ?? 502;
  return Response.json({ kind: result.kind, message: result.message }, { status, headers: { 'cache-control': 'no-store' } });
}
