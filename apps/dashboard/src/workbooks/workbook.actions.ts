'use server';

import { ENTITLEMENTS, PositiveIntSchema, WorkbookNameSchema } from '@auditstack/audit-core';
import { redirect } from 'next/navigation';
import type { ApiFailure } from '../api/api-client.util';
import type { DryRunReport } from '../api/api-views.util';
import { dryRunWorkbook, saveWorkbook } from '../api/service-api.util';
import { can } from '../auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../auth/session.util';
import { withVersionGuard } from './workbook-validation.util';

/** What the editor shows after Dry run or Save. */
export type EditorOutcome =
  | { readonly kind: 'dry-run'; readonly report: DryRunReport }
  /** The engine refused the spec (400 naming paths, 409 stale version): shown beside the editor. */
  | { readonly kind: 'refused'; readonly status: number | null; readonly message: string; readonly errors: readonly string[] }
  /** Anything else (not allowed, unreachable, a 5xx): one sentence. */
  | { readonly kind: 'failed'; readonly message: string };

/** The largest spec text accepted from the browser (the engine bounds each field far below this). */
const MAX_SPEC_CHARS = 1_000_000;

/** The editor's text as a JSON object, or why not. The text is attacker-controlled: bounded, parsed, never evaluated. */
function specFrom(text: unknown): { ok: true; spec: Record<string, unknown> } | { ok: false; outcome: EditorOutcome } {
  const refused = (message: string): { ok: false; outcome: EditorOutcome } => ({ ok: false, outcome: { kind: 'refused', status: null, message, errors: [] } });
  if (typeof text !== 'string' || text.length > MAX_SPEC_CHARS)
    return refused(`The spec must be JSON text of at most ${MAX_SPEC_CHARS.toLocaleString('en')} characters.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused('The spec is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refused('A workbook is a JSON object.');
  return { ok: true, spec: value as Record<string, unknown> };
}

function outcomeOf(failure: ApiFailure): EditorOutcome {
  if (failure.kind === 'invalid') return { kind: 'refused', status: failure.status ?? null, message: failure.message, errors: failure.fieldErrors };
  return { kind: 'failed', message: failure.message };
}

/**
 * Runs the editor's spec once on the engine without storing it. Needs
 * `actions.write` (steps reach the network and the database), checked here
 * again: the button is hidden from viewers, but a request can be forged.
 */
export async function dryRunSpec(text: string): Promise<EditorOutcome> {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite))
    return { kind: 'failed', message: 'You are not allowed to run workbooks with your token (actions.write).' };
  const parsed = specFrom(text);
  if (!parsed.ok) return parsed.outcome;
  const result = redirectIfUnauthorized(await dryRunWorkbook(serviceContext(token), parsed.spec));
  return result.ok ? { kind: 'dry-run', report: result.data } : outcomeOf(result);
}

/**
 * Saves the editor's spec as the next version and opens it. `basedOn` is the
 * workbook and version the editor started from (null for a new one): it
 * becomes the `version` guard, so a save made meanwhile is a 409.
 */
export async function saveSpec(text: string, basedOn: { name: string; version: number } | null): Promise<EditorOutcome> {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsWrite))
    return { kind: 'failed', message: 'You are not allowed to save workbooks with your token (actions.write).' };
  const parsed = specFrom(text);
  if (!parsed.ok) return parsed.outcome;
  // Arguments of a server action arrive from the browser: anything but a well-formed pair means "new".
  const original =
    typeof basedOn === 'object' &&
    basedOn !== null &&
    WorkbookNameSchema.safeParse(basedOn.name).success &&
    PositiveIntSchema.safeParse(basedOn.version).success
      ? { name: basedOn.name, version: basedOn.version }
      : null;
  const result = redirectIfUnauthorized(await saveWorkbook(serviceContext(token), withVersionGuard(parsed.spec, original)));
  if (!result.ok) return outcomeOf(result);
  redirect(`/workbooks/${encodeURIComponent(result.data.name)}?v=${result.data.version}&saved=1`);
}
