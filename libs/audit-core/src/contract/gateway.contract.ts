import { COMMON_ROUTES } from './common.contract';
import { CLOUDEVENTS_ROUTES } from './gateway/cloudevents.contract';
import { EVENT_ROUTES } from './gateway/events.contract';
import { EVIDENCE_ROUTES } from './gateway/evidence.contract';
import { EXPLORE_ROUTES } from './gateway/explore.contract';
import { GOVERNANCE_ROUTES } from './gateway/governance.contract';
import { K8S_AUDIT_ROUTES } from './gateway/k8s-audit.contract';
import { OTLP_ROUTES } from './gateway/otlp.contract';

export * from './gateway/cloudevents.contract';
export * from './gateway/events.contract';
export * from './gateway/evidence.contract';
export * from './gateway/explore.contract';
export * from './gateway/gateway-shapes.schema';
export * from './gateway/governance.contract';
export * from './gateway/k8s-audit.contract';
export * from './gateway/otlp.contract';

/**
 * Every route of the gateway, keyed by operationId: the probes and `whoami`,
 * event ingest (our JSON, OTLP logs, CloudEvents, the Kubernetes audit
 * webhook), lifecycle, tool, observability and cluster queries, the timeline, governance, the tool dashboards,
 * token administration and evidence. The gateway's controllers bind to these
 * entries, its OpenAPI document and the SDK are generated from them, and the
 * dashboard reads its responses through them.
 */
export const GATEWAY_ROUTES = {
  ...COMMON_ROUTES,
  ...EVENT_ROUTES,
  ...OTLP_ROUTES,
  ...CLOUDEVENTS_ROUTES,
  ...K8S_AUDIT_ROUTES,
  ...EXPLORE_ROUTES,
  ...GOVERNANCE_ROUTES,
  ...EVIDENCE_ROUTES,
} as const;

/** The gateway's route table type. */
export type GatewayRoutes = typeof GATEWAY_ROUTES;
