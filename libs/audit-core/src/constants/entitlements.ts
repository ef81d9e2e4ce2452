/**
 * Entitlement names carried by API tokens. Persisted in `audit.api_tokens.entitlements`.
 */
export const ENTITLEMENTS = {
  eventsWrite: 'events.write',
  eventsRead: 'events.read',
  actionsRead: 'actions.read',
  actionsWrite: 'actions.write',
  toolsCostRead: 'tools.cost.read',
  toolsDataGovRead: 'tools.data_gov.read',
  evidenceRead: 'evidence.read',
  admin: 'admin',
} as const;

export type Entitlement = (typeof ENTITLEMENTS)[keyof typeof ENTITLEMENTS];

export const ALL_ENTITLEMENTS: readonly Entitlement[] = Object.freeze(Object.values(ENTITLEMENTS));

export function isEntitlement(value: string): value is Entitlement {
  return (ALL_ENTITLEMENTS as readonly string[]).includes(value);
}

/** `admin` implies every other entitlement. */
export function hasEntitlement(granted: readonly string[], needed: Entitlement): boolean {
  return granted.includes(ENTITLEMENTS.admin) || granted.includes(needed);
}
