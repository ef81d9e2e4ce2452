import { EVENT_KINDS, LIFECYCLE_ACTIONS, type LifecycleAction } from '@auditstack/audit-core';

/** The extension attribute naming the engine an event comes from: an unsupported type with it is kept as an observability event. */
export const ENGINE_ID_EXTENSION = 'engineid';

/** Type prefix of auditstack's own lifecycle events: `io.auditstack.lifecycle.<action>`. */
export const LIFECYCLE_TYPE_PREFIX = 'io.auditstack.lifecycle.';

/** `com.<orchestrator>.engine.<action>`: an orchestrator's own lifecycle types (the orchestrator a DNS label). */
const ORCHESTRATOR_TYPE = /^com\.([a-z0-9][a-z0-9-]{0,62})\.engine\.([a-z0-9_]{1,64})$/;

/** The CloudEvents types that become tool events (a tool call: sizes and a hash, never a payload). */
export const TOOL_CALL_TYPES = ['io.auditstack.tool.call', 'io.auditstack.gen_ai.execute_tool', 'gen_ai.execute_tool'] as const;

/**
 * Onboarding types of seed 003 (`account.created`, `onboarding.completed`, possibly
 * under a reverse-DNS prefix): another issue's domain, refused here with a reason saying so.
 */
export const ONBOARDING_TYPES = ['account.created', 'onboarding.completed'] as const;

/** What a CloudEvents `type` maps to. */
export type CloudEventTarget = { readonly kind: typeof EVENT_KINDS.lifecycle; readonly action: LifecycleAction } | { readonly kind: typeof EVENT_KINDS.tool };

/** Why a type has no mapping; `unsupported` (neither a known type, a lifecycle type nor an onboarding type) may still be kept as an observability event. */
export interface UnmappedType {
  readonly error: string;
  readonly unsupported: boolean;
}

/** The supported types, as stated in rejection messages and the documentation. */
export const SUPPORTED_TYPES_TEXT = `${LIFECYCLE_TYPE_PREFIX}<action> and com.<orchestrator>.engine.<action> (lifecycle; <action> one of ${LIFECYCLE_ACTIONS.join(', ')}), ${TOOL_CALL_TYPES.join(', ')} (tool calls)`;

const ACTIONS: ReadonlySet<string> = new Set(LIFECYCLE_ACTIONS);
const TOOL_TYPES: ReadonlySet<string> = new Set(TOOL_CALL_TYPES);

/**
 * Maps a CloudEvents `type` to the event it becomes, or says why it is not
 * accepted. The message never quotes the type (input is attacker controlled).
 */
export function targetOfType(type: string): CloudEventTarget | UnmappedType {
  if (TOOL_TYPES.has(type)) return { kind: EVENT_KINDS.tool };
  let action: string | null = null;
  if (type.startsWith(LIFECYCLE_TYPE_PREFIX)) action = type.slice(LIFECYCLE_TYPE_PREFIX.length);
  else {
    const match = ORCHESTRATOR_TYPE.exec(type);
    if (match) action = match[2]!;
  }
  if (action !== null) {
    if (ACTIONS.has(action)) return { kind: EVENT_KINDS.lifecycle, action: action as LifecycleAction };
    return { error: `type: unknown lifecycle action; the last segment must be one of ${LIFECYCLE_ACTIONS.join(', ')}`, unsupported: false };
  }
  if (ONBOARDING_TYPES.some((t) => type === t || type.endsWith(`.${t}`))) {
    return {
      error: `type: onboarding events (${ONBOARDING_TYPES.join(', ')}) are not ingested by this endpoint (tracked in a separate issue); supported types: ${SUPPORTED_TYPES_TEXT}`,
      unsupported: false,
    };
  }
  return {
    error: `type: not a supported CloudEvents type; supported: ${SUPPORTED_TYPES_TEXT}; any other type is kept as an observability event when it carries the ${ENGINE_ID_EXTENSION} extension attribute`,
    unsupported: true,
  };
}
