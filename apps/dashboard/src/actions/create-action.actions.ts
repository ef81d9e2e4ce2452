'use server';

import { ENTITLEMENTS } from '@auditstack/audit-core';
import { redirect } from 'next/navigation';
import { createAction, listActionTypes } from '../api/service-api.util';
import { can } from '../auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../auth/session.util';
import { describeFields, formToValue } from '../components/schema-form.util';

/** What the create form shows after a refused attempt: the API's errors and what was typed. */
export interface CreateActionState {
  readonly errors: readonly string[];
  readonly values: Readonly<Record<string, unknown>> | null;
  /** Increments per refused attempt: the form remounts so every control shows the kept values (a `<select>` ignores a new `defaultValue`). */
  readonly attempt: number;
}

const text = (form: FormData, key: string, max: number): string => {
  const value = form.get(key);
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
};

/**
 * Creates an action from the generated form. The config schema is fetched again here rather
 * than trusted from the browser; the engine is the validator, and its messages come back
 * to be shown beside their fields.
 */
export async function createActionFromForm(previous: CreateActionState, form: FormData): Promise<CreateActionState> {
  const { token, who } = await requireIdentity();
  const attempt = previous.attempt + 1;
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite)) return { errors: ['You are not allowed to create actions with your token.'], values: null, attempt };
  const ctx = serviceContext(token);
  const actionType = text(form, 'action_type', 64);
  const types = redirectIfUnauthorized(await listActionTypes(ctx));
  if (!types.ok) return { errors: [types.message], values: null, attempt };
  const type = types.data.find((t) => t.id === actionType);
  if (!type) return { errors: [`action_type: unknown action type "${actionType}"`], values: null, attempt };

  const config = formToValue(describeFields(type.config_schema, 'config'), form);
  const body = {
    project_id: text(form, 'project_id', 64),
    name: text(form, 'name', 200),
    action_type: actionType,
    schedule: text(form, 'schedule', 200),
    description: text(form, 'description', 2000),
    config,
  };
  const result = redirectIfUnauthorized(await createAction(ctx, body));
  if (!result.ok) {
    const errors = result.fieldErrors.length > 0 ? result.fieldErrors : [result.message];
    return { errors, values: body, attempt };
  }
  redirect('/actions?done=created');
}
