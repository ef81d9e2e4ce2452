import { TIMELINE_DOMAINS, type TimelineDomain } from '@auditstack/audit-core';
import { hrefWith } from './search-params.util';

/** Filters of the Timeline page, as the URL keeps them. */
export const TIMELINE_FILTERS = ['engine_id', 'user_id', 'workspace_id', 'graph_run_id', 'project_id'] as const;
export type TimelineFilter = (typeof TIMELINE_FILTERS)[number];

/** Labels of the domains, as the Timeline page shows them. */
export const DOMAIN_LABELS: Readonly<Record<TimelineDomain, string>> = {
  lifecycle: 'Lifecycle',
  tool: 'Tool call',
  observability: 'Observability',
  cluster: 'Cluster audit',
  marker: 'Gateway marker',
  run: 'Check run',
};

/** The page showing one row in full, for the domains that have one (others are expanded in place). */
export function detailHref(domain: TimelineDomain, id: string): string | null {
  const encoded = encodeURIComponent(id);
  switch (domain) {
    case 'lifecycle':
      return `/lifecycle/${encoded}`;
    case 'tool':
      return `/tools/events/${encoded}`;
    case 'run':
      return `/runs/${encoded}`;
    case 'observability':
    case 'cluster':
    case 'marker':
      return null;
    default: {
      const unknown: never = domain;
      return unknown;
    }
  }
}

/** The timeline filtered by one subject (a click on a row's engine, user, workspace or graph run). */
export function timelineHref(filter: Partial<Readonly<Record<TimelineFilter, string>>>): string {
  return hrefWith('/timeline', filter);
}

/**
 * The domains chosen in the URL: `?domains=a,b` or repeated `?domains=a&domains=b` (the
 * checkboxes), unknown names dropped, at most once each, in the contract's order.
 */
export function domainsFrom(raw: string | string[] | undefined): TimelineDomain[] {
  const names = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((v) => v.slice(0, 200).split(','));
  return TIMELINE_DOMAINS.filter((d) => names.includes(d));
}
