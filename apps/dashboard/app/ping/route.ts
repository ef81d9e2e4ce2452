// Liveness and readiness probe of the dashboard (Docker HEALTHCHECK, Kubernetes probes).
// Open like the services' /ping; says nothing about the engine or the gateway (see /status).
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
