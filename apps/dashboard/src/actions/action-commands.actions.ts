'use server';

import { ENTITLEMENTS } from '@auditstack/audit-core';
import { redirect } from 'next/navigation';
import { commandAction, type ActionCommand } from '../api/service-api.util';
import { can } from '../auth/permissions.util';
import { safeNextPath } from '../auth/session-cookie.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../auth/session.util';

const COMMANDS: readonly ActionCommand[] = ['pause', 'resume', 'run'];
const UUID_LIKE = /^[0-9A-Za-z-]{1,64}$/;

/**
 * Pause, resume or run one action now, from a button on the Actions page. The button is only
 * offered with `actions.write`, and the entitlement is checked again here: a form can be forged.
 * The outcome comes back as `?done=` or `?failed=` so the page can say what happened.
 */
export async function runActionCommand(form: FormData): Promise<void> {
  const command = form.get('command');
  const id = form.get('id');
  // Where the button was (the Actions page or a scorecard); same-site paths only.
  const back = (outcome: string): string => withQuery(safeNextPath(form.get('back') ?? '/actions'), outcome);
  // Input an attacker controls: only known commands and id-shaped strings reach the engine URL.
  if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command) || typeof id !== 'string' || !UUID_LIKE.test(id)) {
    redirect(back('failed=invalid'));
  }
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite)) redirect(back('failed=forbidden'));
  const result = redirectIfUnauthorized(await commandAction(serviceContext(token), id, command as ActionCommand));
  if (!result.ok) redirect(back(`failed=${result.kind}`));
  redirect(back(`done=${command}&id=${encodeURIComponent(id)}`));
}

/** `path` with `query` replacing its own query string (outcome params only, never accumulated). */
function withQuery(path: string, query: string): string {
  return `${path.split('?')[0]}?${query}`;
}
