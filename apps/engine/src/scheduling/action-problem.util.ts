import type { z } from 'zod';
import { formatIssues, RUN_ERROR_CODES, type RunErrorCode } from '@auditstack/audit-core';
import { normaliseSchedule, scheduleProblem } from './schedule.util';

/** Why an active action cannot be scheduled (or run): what the sync logs and the overview shows. */
export type ActionProblemKind = 'no_action_type' | 'unknown_type' | 'invalid_schedule' | 'invalid_config';

export interface ActionProblem {
  readonly kind: ActionProblemKind;
  /** The run error code recorded for it. */
  readonly code: RunErrorCode;
  /** The long form, stored as the `error` run's message. */
  readonly message: string;
  /** The short form a card shows after "cannot be scheduled — ". */
  readonly short: string;
}

/** The registry as far as validation needs it. */
export interface ActionTypeLookup {
  get(type: string): { readonly type: string; readonly config: z.ZodType } | undefined;
  list(): readonly { readonly type: string }[];
}

/** An `audit.actions` row as far as validation needs it. */
export interface ActionRowForProblem {
  readonly action_type: string | null;
  readonly schedule: string;
  readonly config?: unknown;
}

/**
 * Memos of the two pure, costly parts (a cron parse is ~0.1 ms; the overview
 * validates every active action on each load): keyed by content, bounded
 * (cleared when full), so an edited row is simply a new key.
 */
const MEMO_MAX = 50_000;
/** Longer keys (a large config) are computed each time rather than kept. */
const MEMO_KEY_MAX = 4096;
const scheduleMemo = new Map<string, string | null>();
const configMemo = new Map<string, string[] | null>();

function memo<T>(map: Map<string, T>, key: string, compute: () => T): T {
  if (key.length > MEMO_KEY_MAX) return compute();
  if (map.has(key)) return map.get(key) as T;
  const value = compute();
  if (map.size >= MEMO_MAX) map.clear();
  map.set(key, value);
  return value;
}

const SHOWN = 100;
const shown = (text: string): string => (text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text);
const NOT_SCHEDULED = 'the action is not scheduled until it is fixed';

/**
 * Why a stored action cannot be scheduled, or null: no action type (a row
 * inserted by SQL without one — the column defaults to ''), an unregistered
 * type, a schedule that is not valid cron, and — with `checkConfig` — a config
 * that does not pass the type's schema (the executor refuses such a run).
 * The schedule sync and the overview call this one function, so the card's
 * reason is the scheduler's.
 */
export function actionProblem(row: ActionRowForProblem, registry: ActionTypeLookup, allowSeconds: boolean, checkConfig = false): ActionProblem | null {
  const actionType = (row.action_type ?? '').trim();
  if (actionType === '') {
    return {
      kind: 'no_action_type',
      code: RUN_ERROR_CODES.unknownType,
      message: `no action type: set action_type to a registered type (GET /v1/action-types); ${NOT_SCHEDULED}`,
      short: 'no action type',
    };
  }
  const type = registry.get(row.action_type ?? '');
  if (!type) {
    const known = registry
      .list()
      .map((t) => t.type)
      .join(', ');
    return {
      kind: 'unknown_type',
      code: RUN_ERROR_CODES.unknownType,
      message: `unknown action type "${row.action_type}" (registered: ${known}); ${NOT_SCHEDULED}`,
      short: `unknown action type '${shown(actionType)}'`,
    };
  }
  const problem = memo(scheduleMemo, `${allowSeconds ? 's' : 'm'}${row.schedule}`, () => scheduleProblem(row.schedule, allowSeconds));
  if (problem) {
    return {
      kind: 'invalid_schedule',
      code: RUN_ERROR_CODES.invalidSchedule,
      message: `invalid schedule: ${problem}; ${NOT_SCHEDULED}`,
      short: `invalid cron '${shown(normaliseSchedule(row.schedule))}'`,
    };
  }
  if (checkConfig) {
    const issues = memo(configMemo, `${type.type}\u0000${JSON.stringify(row.config ?? {})}`, () => {
      const parsed = type.config.safeParse(row.config ?? {});
      return parsed.success ? null : formatIssues(parsed.error);
    });
    if (issues) {
      return {
        kind: 'invalid_config',
        code: RUN_ERROR_CODES.configInvalid,
        message: `config does not match the ${type.type} schema: ${issues.join('; ')}`,
        // The issue names the field and the rule, never the stored value.
        short: `invalid config (${shown(issues[0] ?? 'does not match the schema')}${issues.length > 1 ? `, +${issues.length - 1} more` : ''})`,
      };
    }
  }
  return null;
}
