import { COMMON_ROUTES } from './common.contract';
import { EVENT_ROUTES } from './gateway/events.contract';
import { EVIDENCE_ROUTES } from './gateway/evidence.contract';
import { GOVERNANCE_ROUTES } from './gateway/governance.contract';

export * from './gateway/events.contract';
export * from './gateway/evidence.contract';
export * from './gateway/gateway-shapes.schema';
export * from './gateway/governance.contract';

/**
 * Every route of the gateway, keyed by operationId: the probes and `whoami`,
 * event ingest, lifecycle and tool queries, governance, the tool dashboards,
 * token administration and evidence. The gateway's controllers bind to these
 * entries, its OpenAPI document and the SDK are generated from them, and the
 * dashboard reads its responses through them.
 */
export const GATEWAY_ROUTES = {
  ...COMMON_ROUTES,
  ...EVENT_ROUTES,
  ...GOVERNANCE_ROUTES,
  ...EVIDENCE_ROUTES,
} as const;

/** The gateway's route table type. */
export type GatewayRoutes = typeof GATEWAY_ROUTES;
