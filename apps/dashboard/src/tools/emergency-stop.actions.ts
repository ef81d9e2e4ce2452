'use server';

import { ENTITLEMENTS } from '@auditstack/audit-core';
import { redirect } from 'next/navigation';
import { engageEmergencyStop } from '../api/service-api.util';
import { can } from '../auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../auth/session.util';

/**
 * Engages the gateway's emergency stop (`POST /v1/admin/emergency-stop`) after the confirmation
 * dialog. The button is only rendered for `admin`, and `admin` is checked again here: a form can be
 * forged. The outcome comes back as `?stop=engaged` or `?stop=<failure kind>`.
 */
export async function engageEmergencyStopAction(form: FormData): Promise<void> {
  // Free text an admin typed: bounded, sent as JSON, shown back only through React (escaped).
  const raw = form.get('reason');
  const reason = typeof raw === 'string' ? raw.trim().slice(0, 500) : '';
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.admin)) redirect('/tools?stop=forbidden');
  const result = redirectIfUnauthorized(await engageEmergencyStop(serviceContext(token), reason || 'engaged from the dashboard'));
  redirect(`/tools?stop=${result.ok ? 'engaged' : result.kind}`);
}
