import { ENTITLEMENTS, hasEntitlement, type Entitlement } from '@auditstack/audit-core';

/** One entry of the header navigation. */
export interface NavItem {
  readonly href: string;
  readonly label: string;
  /** Shown when the token has any of these (admin implies all). */
  readonly anyOf: readonly Entitlement[];
}

/** Every page of the shell, in header order, with the entitlements that make it useful. */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview', anyOf: [ENTITLEMENTS.actionsRead] },
  { href: '/actions', label: 'Actions', anyOf: [ENTITLEMENTS.actionsRead] },
  { href: '/runs', label: 'Runs', anyOf: [ENTITLEMENTS.actionsRead] },
  { href: '/workbooks', label: 'Workbooks', anyOf: [ENTITLEMENTS.actionsRead] },
  { href: '/lifecycle', label: 'Lifecycle', anyOf: [ENTITLEMENTS.eventsRead] },
  { href: '/timeline', label: 'Timeline', anyOf: [ENTITLEMENTS.eventsRead] },
  { href: '/tools', label: 'Tools', anyOf: [ENTITLEMENTS.toolsCostRead, ENTITLEMENTS.toolsDataGovRead] },
  { href: '/evidence', label: 'Evidence', anyOf: [ENTITLEMENTS.evidenceRead] },
];

/** Whether a token with `granted` entitlements may do what `needed` names (`admin` implies everything). */
export function can(granted: readonly string[], needed: Entitlement): boolean {
  return hasEntitlement(granted, needed);
}

/** Whether any of `needed` is granted. */
export function canAny(granted: readonly string[], needed: readonly Entitlement[]): boolean {
  return needed.some((entitlement) => hasEntitlement(granted, entitlement));
}

/** The navigation a token may see: pages it cannot read are not offered. */
export function navItemsFor(granted: readonly string[]): readonly NavItem[] {
  return NAV_ITEMS.filter((item) => canAny(granted, item.anyOf));
}

/** Whether `href` is the current page (`/` only on itself; others on their sub-pages too). */
export function isCurrent(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
